"""The deployment carries attachments: nginx lets an upload of the limit's size through, and the
replicas of the compose file keep the files where all of them read them."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _megabytes(value: str) -> int:
    return int(value.removesuffix("m")) << 20


def test_nginx_lets_an_upload_at_the_limit_through():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = conf[conf.index("location ~ ^/api/documents/[^/]+/attachments/$") :]
    block = block[: block.index("}")]
    limit = re.search(r"client_max_body_size (\d+m);", block).group(1)
    assert _megabytes(limit) > settings.ATTACHMENT_MAX_BYTES
    assert "proxy_pass http://collab;" in block


def test_the_replicas_share_the_attachment_files():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    root = services["app1"]["environment"]["ATTACHMENT_ROOT"]
    for replica in ("app1", "app2"):
        assert f"attachments:{root}" in services[replica]["volumes"]
    assert "attachments" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"chown app {root}" in dockerfile  # the volume starts writable by the app's user


def test_the_readme_documents_attachments():
    readme = (ROOT / "README.md").read_text()
    for name in [
        "POST /api/documents/<id>/attachments/",
        "GET /api/documents/<id>/attachments/<attachment_id>",
        "ATTACHMENT_MAX_BYTES",
        "ATTACHMENT_MAX_PIXELS",
        "ATTACHMENT_ROOT",
        "ATTACHMENT_S3_BUCKET",
        "ATTACHMENT_S3_ENDPOINT_URL",
        "django-storages[s3]",
        "manage.py prune_attachments",
    ]:
        assert name in readme, name

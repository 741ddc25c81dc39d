"""docker-compose.yml cannot run here (no Docker engine); check that it describes the topology
the multi-process tests exercise: PostgreSQL, Redis, migrations once, two replicas, a proxy."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def test_compose_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "app1", "app2", "proxy"} <= set(services)
    for replica in ("app1", "app2"):
        app = services[replica]
        assert app["environment"]["DATABASE_URL"].startswith("postgres://")
        assert app["environment"]["REDIS_URL"].startswith("redis://")
        assert "/healthz" in " ".join(app["healthcheck"]["test"])
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert "postgres-data" in compose["volumes"]


def test_proxy_upgrades_websockets_to_every_replica():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app1:8000;" in conf and "server app2:8000;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf


def test_dockerfile_builds_the_editor_and_serves_the_asgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm run build" in dockerfile
    assert "project_name.asgi:application" in dockerfile


def test_the_image_is_production_mode_with_collected_static_files():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    assert any(line.startswith("ENV ") and "DJANGO_DEBUG=0" in line for line in final_stage)
    assert any("manage.py collectstatic --noinput" in line for line in final_stage)


def test_production_settings_pass_the_deploy_check():
    """`DJANGO_DEBUG=0 manage.py check --deploy --fail-level WARNING` passes with only the
    secret key, the allowed hosts and the mail server set (HTTPS-only settings on by default;
    the embedded default's console mailer is refused there)."""
    import os
    import secrets
    import subprocess
    import sys

    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "docs.example.com",
        "EMAIL_URL": "smtp://docs%40example.com:secret@mail.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    insecure = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**env, "DJANGO_SECURE": "0"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert insecure.returncode != 0, "plain-HTTP mode is reported by the deploy check"


def test_production_mode_requires_a_secret_key():
    import os
    import subprocess
    import sys

    env = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("database_url", "loads_psycopg"),
    [("sqlite:///unused.sqlite3", False), ("postgresql://user@127.0.0.1:5432/unused", True)],
)
def test_psycopg_is_loaded_only_for_postgresql(database_url, loads_psycopg):
    """Loading the ASGI app on SQLite leaves psycopg and libpq out (about 10 MiB); on
    PostgreSQL, DRF's PostgreSQL field support loads as usual."""
    import os
    import subprocess
    import sys

    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url}
    script = (
        "import sys, project_name.asgi, rest_framework.compat as compat;"
        "print('psycopg' in sys.modules, compat.postgres_fields is not None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(loads_psycopg)] * 2


def test_client_addresses_come_from_the_proxy_never_from_the_client():
    """nginx writes X-Forwarded-For itself, the replicas believe it from nginx only, and daphne
    does not take the header's first entry (the client's) as the connection's address."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for replica in ("app1", "app2"):
        assert services[replica]["environment"]["TRUSTED_PROXIES"]
    directives = [
        line.split("#")[0].strip()
        for line in (ROOT / "deploy" / "nginx.conf").read_text().splitlines()
    ]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    command = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    assert "--proxy-headers" not in command


def test_metrics_are_for_the_internal_network_only():
    """nginx never passes /metrics on; a scraper asks each replica with the token that compose
    hands them."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for replica in ("app1", "app2"):
        assert "METRICS_TOKEN" in services[replica]["environment"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    blocked = conf.index("location = /metrics {")
    assert conf.index("return 404;", blocked) < conf.index("}", blocked)


def _locked_versions(lock: str) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", (ROOT / lock).read_text(), re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


@pytest.mark.parametrize(
    "lock, extras", [("requirements.lock", set()), ("requirements-dev.lock", {"dev"})]
)
def test_the_lock_files_pin_what_pyproject_asks_for(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    locked = _locked_versions(lock)
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{lock} lacks {name}: run pip-compile (see the README)"
        assert requirement.specifier.contains(locked[name]), f"{lock}: {name}=={locked[name]}"
    # The libraries whose internals documents/realtime reaches into are pinned too.
    assert {"daphne", "autobahn", "twisted", "pycrdt"} <= locked.keys()
    assert "--hash=sha256:" in (ROOT / lock).read_text()

"""/metrics (documents/metrics.py): closed without METRICS_TOKEN, else for a bearer of it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(authorization: str | None = None):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return Client().get("/metrics", **headers)


def test_without_a_metrics_token_there_is_no_metrics_page(settings):
    settings.METRICS_TOKEN = ""
    for authorization in (None, "Bearer ", "Bearer anything"):
        response = scrape(authorization)
        assert response.status_code == 404
        assert b"collab_" not in response.content


def test_the_bearer_of_the_token_gets_the_prometheus_text_format(metrics_token):
    response = scrape(f"Bearer {metrics_token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    for name in [
        "collab_open_sockets",
        "collab_loaded_documents",
        "collab_updates_received_total",
        "collab_frames_broadcast_total",
        "collab_persist_batch_updates_bucket",
        "collab_persist_seconds_count",
        "collab_anti_entropy_repairs_total",
        "collab_sockets_closed_total",
    ]:
        assert name in text
    assert scrape(f"bearer {metrics_token}").status_code == 200  # schemes ignore case


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Token {TOKEN}",
        TOKEN,
        "Bearer ümlaut",
    ],
)
def test_anyone_else_is_refused_with_401(metrics_token, authorization):
    response = scrape(authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"collab_" not in response.content


def test_the_token_is_not_read_from_the_query_string(metrics_token):
    assert Client().get(f"/metrics?token={metrics_token}").status_code == 401

"""Every error page a person can reach is the product's own, in debug mode too."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from documents import live

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]


def product_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f'data-status="{status}"' in html, html[:300]
    assert "Back to your documents" in html
    for leak in ("URLconf", "Traceback", "DEBUG = True", "technical", "Request Method"):
        assert leak not in html
    return html


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_page_is_the_products_404(debug, user):
    client = Client()
    client.force_login(user)
    with override_settings(DEBUG=debug):
        html = product_page(client.get("/documents/not-a-uuid/"), 404)
        product_page(client.get("/no/such/page"), 404)
    assert "This page doesn’t exist" in html
    assert "accounts/login" not in html  # no list of the site's URLs


@pytest.mark.parametrize("debug", [True, False])
def test_a_failing_page_is_the_products_500(debug):
    client = Client(raise_request_exception=False)
    with override_settings(DEBUG=debug):
        html = product_page(client.get("/fail/"), 500)
    assert "Something went wrong on our side" in html
    assert "boom" not in html


@pytest.mark.parametrize("debug", [True, False])
def test_a_csrf_failure_is_the_products_403(debug, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    with override_settings(DEBUG=debug):
        product_page(client.post("/accounts/logout/"), 403)


def test_a_document_one_may_not_see_keeps_its_own_page(user):
    client = Client()
    client.force_login(user)
    with override_settings(DEBUG=True):
        response = client.get("/documents/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "This document isn’t available" in response.content.decode()


def test_api_errors_stay_json():
    with override_settings(DEBUG=True):
        response = Client().get("/api/no/such/endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/static/no-such-file.css", "/ws/documents/x", "/metrics/x"])
def test_unknown_addresses_outside_the_pages_are_the_products_404_too(debug, path):
    with override_settings(DEBUG=debug):
        product_page(Client().get(path), 404)


@pytest.mark.parametrize("debug", [True, False])
def test_a_bad_host_is_the_products_400(debug):
    with override_settings(DEBUG=debug):
        product_page(Client(HTTP_HOST="evil.example").get("/accounts/login/"), 400)


@pytest.mark.parametrize("debug", [True, False])
def test_api_errors_that_drf_does_not_handle_are_json(debug, user, make_document, monkeypatch):
    """An uncaught exception in an API view, and a body over Django's upload limit."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        too_big = client.put(url, {"format": "text", "content": "x" * 2000}, format="json")
        assert too_big.status_code == 400
        assert too_big.json() == {"detail": "This request could not be understood."}
        monkeypatch.setattr(live, "read_document", failing_read)
        failed = client.get(url, HTTP_ACCEPT="application/json")
        assert failed.status_code == 500
        assert failed.json() == {"detail": "Something went wrong on our side."}


def failing_read(document_id):
    raise RuntimeError("boom")


def test_the_browsable_api_keeps_its_own_error_pages(user):
    client = APIClient()
    client.force_authenticate(user)
    with override_settings(DEBUG=True):
        page = client.get(
            "/api/documents/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT="text/html"
        )
    assert page.status_code == 404
    assert b'class="breadcrumb"' in page.content

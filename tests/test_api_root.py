"""The API's entry point, unknown API paths, and the browsable API's breadcrumbs."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_api_root_links_to_every_part_of_the_api():
    response = APIClient().get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "documents": "http://testserver/api/documents/",
        "auth_token": "http://testserver/api/auth/token/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_unknown_api_paths_are_a_json_404():
    response = APIClient().get("/api/nothing/here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}


def test_the_browsable_api_breadcrumbs_read_right(user):
    client = APIClient()
    client.force_authenticate(user)
    page = client.get("/api/documents/", HTTP_ACCEPT="text/html").content.decode()
    crumbs = page[
        page.index('class="breadcrumb"') : page.index("</ul>", page.index('class="breadcrumb"'))
    ]
    assert '<a href="/api/">API root</a>' in crumbs
    assert '<a href="/api/documents/">Document List</a>' in crumbs
    assert "Not Found" not in crumbs

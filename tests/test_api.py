"""The REST slice: tokens, listing, creating and retrieving documents."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def test_token_for_valid_credentials(user):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "password-123!"}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_token_refused_for_a_wrong_password(user):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_invalid_json_is_a_clear_400(api):
    response = api.post("/api/documents/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_create_then_retrieve(api, user):
    created = api.post("/api/documents/", {"title": "Notes"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Notes"
    assert body["owner"] == "alice"
    assert body["role"] == "owner"
    assert body["websocket"] == f"/ws/documents/{body['id']}"
    fetched = api.get(f"/api/documents/{body['id']}/")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == body["id"]


def test_list_shows_only_my_documents(api, make_user, make_document, user):
    make_document(user, "mine")
    make_document(make_user(), "someone else's")
    response = api.get("/api/documents/")
    assert response.status_code == 200
    assert [doc["title"] for doc in response.json()["results"]] == ["mine"]


def test_someone_elses_document_is_a_404(api, make_user, make_document):
    other = make_document(make_user(), "private")
    assert api.get(f"/api/documents/{other.id}/").status_code == 404


def test_anonymous_requests_are_refused():
    assert APIClient().get("/api/documents/").status_code == 401
    assert APIClient().post("/api/documents/", {"title": "x"}, format="json").status_code == 401


def test_title_is_validated(api):
    response = api.post("/api/documents/", {"title": "x" * 201}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()

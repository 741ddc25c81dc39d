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


def test_search_and_ordering(api, user, make_document):
    for title in ["Beta notes", "alpha plan", "Gamma notes"]:
        make_document(user, title)
    found = api.get("/api/documents/?search=notes&ordering=title").json()["results"]
    assert [doc["title"] for doc in found] == ["Beta notes", "Gamma notes"]
    newest_first = api.get("/api/documents/?ordering=-created").json()["results"]
    assert [doc["title"] for doc in newest_first] == ["Gamma notes", "alpha plan", "Beta notes"]


def test_rename(api, user, make_document):
    document = make_document(user, "Old")
    response = api.patch(f"/api/documents/{document.id}/", {"title": "New"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "New"


def test_pagination(api, user, make_document):
    for index in range(55):
        make_document(user, f"doc {index}")
    first = api.get("/api/documents/").json()
    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert len(api.get(first["next"]).json()["results"]) == 5


def test_members_share_and_unshare(api, user, make_user, make_document):
    document = make_document(user)
    make_user("bob", first_name="Bob", last_name="Builder")
    url = f"/api/documents/{document.id}/members/"
    created = api.post(url, {"username": "bob", "role": "editor"}, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "Bob Builder"
    assert api.get(url).json() == [created.json()]
    again = api.post(url, {"username": "bob", "role": "viewer"}, format="json")
    assert again.status_code == 400
    assert api.post(url, {"username": "nobody", "role": "viewer"}, format="json").status_code == 400
    assert api.post(url, {"username": "alice", "role": "viewer"}, format="json").status_code == 400
    bad_role = api.patch(f"{url}bob/", {"role": "admin"}, format="json")
    assert bad_role.status_code == 400
    assert api.patch(f"{url}bob/", {"role": "viewer"}, format="json").json()["role"] == "viewer"
    assert api.delete(f"{url}bob/").status_code == 204
    assert api.delete(f"{url}bob/").status_code == 404


def test_content_rejects_an_unknown_format(api, user, make_document):
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    assert api.get(f"{url}?format=pdf").status_code == 400
    assert api.put(url, {"format": "pdf", "content": "x"}, format="json").status_code == 400
    bad_json = api.put(url, {"format": "json", "content": {"type": "nope"}}, format="json")
    assert bad_json.status_code == 400


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_openapi_schema_is_valid_and_complete():
    from django.test import Client
    from drf_spectacular.validation import validate_schema

    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    paths = set(schema["paths"])
    for expected in [
        "/api/auth/token/",
        "/api/documents/",
        "/api/documents/{id}/",
        "/api/documents/{document_id}/content",
        "/api/documents/{document_id}/members/",
        "/api/documents/{document_id}/members/{username}/",
        "/api/documents/{document_id}/versions/",
        "/api/documents/{document_id}/versions/{version_id}/",
        "/api/documents/{document_id}/versions/{version_id}/restore/",
        "/api/documents/{document_id}/attachments/",
        "/api/documents/{document_id}/attachments/{attachment_id}",
    ]:
        assert expected in paths, sorted(paths)


def test_api_docs_page_renders():
    from django.test import Client

    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_json_logs_carry_the_document_id():
    import json
    import logging

    from project_name.logformat import JsonFormatter

    record = logging.makeLogRecord(
        {"msg": "document %s: unloaded", "args": ("abc",), "levelname": "INFO", "name": "x"}
    )
    record.document = "abc"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "document abc: unloaded"
    assert entry["document"] == "abc"
    assert entry["level"] == "INFO"


def test_session_authenticated_writes_need_the_csrf_token(user):
    """Browsers authenticate with the session cookie; a write without the CSRF token (as a
    forged cross-site form would send it) is refused, one with it goes through."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    refused = client.post("/api/documents/", {"title": "forged"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    page = client.get("/")  # any page sets the csrftoken cookie
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/documents/", {"title": "mine"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 201

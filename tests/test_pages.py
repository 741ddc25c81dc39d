"""The HTML pages: sign in, sign up, sign out, the document list and the editor shell."""

import json
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from documents.people import user_color

pytestmark = pytest.mark.django_db

PASSWORD = "password-123!"


def editor_config(response) -> dict:
    """The JSON the editor page hands to the browser code."""
    match = re.search(
        r'<script id="editor-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the editor page has no editor-config blob"
    return json.loads(match.group(1))


@pytest.fixture
def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


# Sign-in required


@pytest.mark.parametrize("path", ["/", f"/documents/{uuid.uuid4()}/"])
def test_pages_redirect_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_sign_in_page_renders_with_a_csrf_token(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'name="username"' in response.content


def test_sign_in_goes_to_the_list_or_next(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "/documents/x/"},
    )
    assert response["Location"] == "/documents/x/"


def test_sign_in_refuses_a_wrong_password(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert b"alert-error" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_ignores_an_offsite_next(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_signed_in_visitor_skips_the_sign_in_page(signed_in):
    response = signed_in.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


# Sign up


def test_sign_up_creates_the_user_and_signs_them_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "full_name": "Ada Lovelace",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="newbie")
    assert user.get_full_name() == "Ada Lovelace"
    assert user.check_password("a-long-passphrase-42")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200


def test_sign_up_without_a_full_name(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "plain",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="plain").get_full_name() == ""


def test_sign_up_refuses_mismatched_passwords(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "password1": "a-long-passphrase-42",
            "password2": "something-else-42",
        },
    )
    assert response.status_code == 200
    assert b"field-error" in response.content
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_sign_up_refuses_a_taken_username(client, user):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "alice",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert get_user_model().objects.filter(username="alice").count() == 1


def test_sign_up_honours_a_local_next(client):
    response = client.post(
        "/accounts/signup/?next=/documents/abc/",
        {
            "username": "newbie",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "next": "/documents/abc/",
        },
    )
    assert response["Location"] == "/documents/abc/"


# Sign out


def test_sign_out_is_a_post_that_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in client.session

    page = client.get("/")
    token = page.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_sign_out_refuses_get(signed_in):
    assert signed_in.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in signed_in.session


# Document list


def test_list_page_renders_for_a_signed_in_user(signed_in):
    response = signed_in.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="document-list-app"' in html
    assert "editor/list.js" in html
    assert 'action="/accounts/logout/"' in html
    assert "csrftoken" in response.cookies


# Editor


def test_editor_page_hands_the_browser_its_configuration(client, make_user, make_document):
    owner = make_user("owner", first_name="Olive", last_name="Owner")
    document = make_document(owner, title="Plans <b>")
    client.force_login(owner)
    response = client.get(f"/documents/{document.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plans &lt;b&gt;" in html
    assert "editor/editor.js" in html
    assert "csrftoken" in response.cookies
    config = editor_config(response)
    assert config["documentId"] == str(document.id)
    assert config["title"] == "Plans <b>"
    assert config["role"] == "owner"
    assert config["canEdit"] is True
    assert config["canManage"] is True
    assert config["websocketPath"] == "/ws/documents"
    assert config["user"]["name"] == "Olive Owner"
    assert config["user"]["color"] == user_color(owner.pk)
    assert config["disableBroadcast"] is False
    assert config["owner"] == {"username": "owner", "name": "Olive Owner"}


def test_editor_page_names_a_user_without_full_name_by_username(signed_in, user, make_document):
    document = make_document(user)
    config = editor_config(signed_in.get(f"/documents/{document.id}/?test=1"))
    assert config["user"]["name"] == "alice"
    assert config["disableBroadcast"] is True


def test_editor_page_is_a_404_for_a_stranger(client, make_user, make_document):
    document = make_document(make_user("owner"))
    client.force_login(make_user("stranger"))
    response = client.get(f"/documents/{document.id}/")
    assert response.status_code == 404
    assert b"isn\xe2\x80\x99t available" in response.content
    assert b"editor-config" not in response.content


def test_editor_page_is_the_same_404_for_an_unknown_document(signed_in):
    response = signed_in.get(f"/documents/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert b"isn\xe2\x80\x99t available" in response.content


def test_user_colours_are_stable_hex_and_differ_between_users():
    assert user_color(1) == user_color(1)
    assert re.fullmatch(r"#[0-9a-f]{6}", user_color(1))
    assert len({user_color(n) for n in range(1, 40)}) > 20

"""Asking for access and granting it: the asker learns nothing, the owner lists, grants in one
request or dismisses, and what is kept is bounded."""

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from documents import access_requests
from documents.models import AccessRequest, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def document(alice, make_document):
    return make_document(alice, "Private")


def ask(client: APIClient, document_id) -> dict:
    response = client.post(f"/api/documents/{document_id}/access/request/")
    assert response.status_code == 202
    return response.json()


def test_asking_answers_the_same_whatever_the_document(document, make_user, client_for, alice):
    bob = client_for(make_user("bob"))
    member = make_user("member")
    Membership.objects.create(document=document, user=member, role="viewer")
    answers = [
        ask(bob, document.id),
        ask(bob, document.id),  # again
        ask(bob, uuid.uuid4()),  # no such document
        ask(client_for(member), document.id),  # already has access
        ask(client_for(alice), document.id),  # the owner
    ]
    assert all(answer == answers[0] for answer in answers)
    assert [(r.document_id, r.user.username) for r in AccessRequest.objects.all()] == [
        (document.id, "bob")
    ]
    assert APIClient().post(f"/api/documents/{document.id}/access/request/").status_code == 401


def test_the_owner_lists_grants_and_dismisses(document, make_user, client_for, alice):
    bob, carol = make_user("bob"), make_user("carol")
    ask(client_for(bob), document.id)
    ask(client_for(carol), document.id)
    owner = client_for(alice)
    url = f"/api/documents/{document.id}/access-requests/"
    listed = owner.get(url).json()
    assert [(r["username"], r["email"]) for r in listed] == [
        ("bob", "bob@example.com"),
        ("carol", "carol@example.com"),
    ]

    granted = owner.post(f"{url}bob/", {"role": "commenter"}, format="json")
    assert granted.status_code == 201
    assert granted.json()["role"] == "commenter"
    assert Membership.objects.get(document=document, user=bob).role == "commenter"
    assert client_for(bob).get(f"/api/documents/{document.id}/").json()["role"] == "commenter"

    assert owner.delete(f"{url}carol/").status_code == 204
    assert owner.get(url).json() == []
    assert not Membership.objects.filter(user=carol).exists()
    assert owner.post(f"{url}carol/", {"role": "viewer"}, format="json").status_code == 404


def test_only_the_owner_answers_and_never_with_ownership(document, make_user, client_for, alice):
    bob, editor = make_user("bob"), make_user("editor")
    Membership.objects.create(document=document, user=editor, role="editor")
    ask(client_for(bob), document.id)
    url = f"/api/documents/{document.id}/access-requests/"
    as_editor = client_for(editor)
    assert as_editor.get(url).status_code == 403
    assert as_editor.post(f"{url}bob/", {"role": "editor"}, format="json").status_code == 403
    assert client_for(bob).get(url).status_code == 404
    for role in ("owner", "admin", ""):
        refused = client_for(alice).post(f"{url}bob/", {"role": role}, format="json")
        assert refused.status_code == 400
    assert not Membership.objects.filter(user=bob).exists()
    assert AccessRequest.objects.filter(user=bob).exists()


def test_waiting_requests_are_bounded_per_person(make_user, make_document, client_for, monkeypatch):
    monkeypatch.setattr(access_requests, "MAX_PENDING_PER_USER", 3)
    owner, bob = make_user("owner"), client_for(make_user("bob"))
    for number in range(5):
        ask(bob, make_document(owner, f"Doc {number}").id)
    assert AccessRequest.objects.count() == 3


def test_asking_is_throttled(document, make_user, client_for, settings):
    settings.ACCESS_REQUEST_RATE = "2/hour"
    bob = client_for(make_user("bob"))
    ask(bob, document.id)
    ask(bob, document.id)
    assert bob.post(f"/api/documents/{document.id}/access/request/").status_code == 429


def test_the_not_available_page_asks_for_access_with_one_button(document, make_user):
    client = Client()
    client.force_login(make_user("bob"))
    page = client.get(f"/documents/{document.id}/")
    assert page.status_code == 404
    assert 'data-action="request-access"' in page.content.decode()
    asked = client.post(f"/documents/{document.id}/request-access")
    unknown = client.post(f"/documents/{uuid.uuid4()}/request-access")
    assert asked.status_code == unknown.status_code == 404
    for answer in (asked, unknown):
        assert 'data-testid="access-requested"' in answer.content.decode()
    assert AccessRequest.objects.filter(document=document).count() == 1
    assert client.get(f"/documents/{document.id}/request-access").status_code == 405

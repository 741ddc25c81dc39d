"""Notifications: who is told of a share and of a request for access, the unread count,
marking read, and that nobody learns of documents they may no longer open."""

import pytest
from rest_framework.test import APIClient

from documents.models import Membership, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, make_document):
    alice, bob = make_user("alice"), make_user("bob")
    return alice, bob, make_document(alice, "Plans")


def listed(client: APIClient) -> dict:
    response = client.get("/api/notifications/")
    assert response.status_code == 200
    return response.json()


def test_a_share_tells_the_member_who_shared_what_and_as_what(people, client_for):
    alice, bob, document = people
    members = f"/api/documents/{document.id}/members/"
    assert client_for(alice).post(members, {"user": "bob", "role": "commenter"}).status_code == 201
    # A share refused (already a member) tells nobody.
    assert client_for(alice).post(members, {"user": "bob", "role": "editor"}).status_code == 400
    body = listed(client_for(bob))
    assert body["unread"] == 1 and body["count"] == 1
    [note] = body["results"]
    assert note["kind"] == "shared" and note["role"] == "commenter" and note["read"] is False
    assert note["document"] == {"id": str(document.id), "title": "Plans"}
    assert note["actor"] == {"username": "alice", "name": "alice"}
    assert listed(client_for(alice))["count"] == 0


def test_a_request_for_access_tells_the_owner_once_and_the_grant_tells_the_asker(
    people, client_for
):
    alice, bob, document = people
    for _ in range(2):
        client_for(bob).post(f"/api/documents/{document.id}/access/request/")
    [note] = listed(client_for(alice))["results"]
    assert note["kind"] == "access_requested" and note["actor"]["username"] == "bob"
    assert listed(client_for(bob))["count"] == 0  # nothing of a document bob cannot open

    url = f"/api/documents/{document.id}/access-requests/bob/"
    assert client_for(alice).post(url, {"role": "editor"}).status_code == 201
    [granted] = listed(client_for(bob))["results"]
    assert (granted["kind"], granted["role"], granted["actor"]["username"]) == (
        "shared",
        "editor",
        "alice",
    )


def test_someone_removed_no_longer_sees_what_they_were_told(people, client_for):
    alice, bob, document = people
    client_for(alice).post(
        f"/api/documents/{document.id}/members/", {"user": "bob", "role": "viewer"}
    )
    assert listed(client_for(bob))["unread"] == 1
    Membership.objects.filter(user=bob).delete()
    after = listed(client_for(bob))
    assert (after["count"], after["unread"], after["results"]) == (0, 0, [])


def test_read_one_and_read_all_touch_only_mine(people, make_user, make_document, client_for):
    alice, bob, document = people
    other = make_document(alice, "Other")
    for shared in (document, other):
        client_for(alice).post(
            f"/api/documents/{shared.id}/members/", {"user": "bob", "role": "viewer"}
        )
    first, second = listed(client_for(bob))["results"]

    mallory = client_for(make_user("mallory"))
    assert mallory.post(f"/api/notifications/{first['id']}/read/").status_code == 404
    assert mallory.post("/api/notifications/read-all/").json() == {"unread": 0}
    assert Notification.objects.filter(read__isnull=True).count() == 2

    bob_client = client_for(bob)
    assert bob_client.post(f"/api/notifications/{first['id']}/read/").json() == {"unread": 1}
    assert [n["read"] for n in listed(bob_client)["results"]] == [True, False]
    assert bob_client.post("/api/notifications/read-all/").json() == {"unread": 0}
    assert listed(bob_client)["unread"] == 0
    assert APIClient().get("/api/notifications/").status_code == 401

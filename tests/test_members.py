"""Sharing over REST: by username or e-mail address, the messages when that fails, and how
members are listed (display names; e-mail addresses for owners only)."""

import pytest
from rest_framework.test import APIClient

from documents.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_person(make_user):
    """Factory: a user with this e-mail address ("" for none; `make_user` gives another)."""

    def make(username: str, email: str):
        person = make_user(username)
        person.email = email
        person.save(update_fields=["email"])
        return person

    return make


@pytest.fixture
def document(user, make_document):
    return make_document(user)


@pytest.fixture
def url(document) -> str:
    return f"/api/documents/{document.id}/members/"


@pytest.fixture
def owner(user, client_for) -> APIClient:
    return client_for(user)


def test_share_by_username(owner, url, make_user):
    make_user("bob", first_name="Bob", last_name="Builder")
    response = owner.post(url, {"user": "bob", "role": "editor"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "username": "bob",
        "name": "Bob Builder",
        "email": "bob@example.com",
        "role": "editor",
        "created": response.json()["created"],
    }


def test_the_older_username_field_still_shares(owner, url, make_user, document):
    bob = make_user("bob")
    response = owner.post(url, {"username": "bob", "role": "viewer"}, format="json")
    assert response.status_code == 201, response.json()
    assert Membership.objects.get(document=document, user=bob).role == "viewer"


def test_a_document_is_shared_for_commenting_and_no_made_up_role_is_taken(
    owner, url, make_user, document, client_for
):
    bob = make_user("bob")
    response = owner.post(url, {"user": "bob", "role": "commenter"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "commenter"
    [listed] = client_for(bob).get("/api/documents/").json()["results"]
    assert listed["role"] == "commenter"
    refused = owner.patch(f"{url}bob/", {"role": "commentator"}, format="json")
    assert refused.status_code == 400 and "role" in refused.json()
    assert Membership.objects.get(document=document, user=bob).role == "commenter"


def test_share_by_email_in_any_case(owner, url, make_person, document):
    bob = make_person("bob", "Bob.Builder@Example.com")
    response = owner.post(url, {"user": "bob.builder@EXAMPLE.com", "role": "editor"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "bob"
    assert Membership.objects.filter(document=document, user=bob).exists()


def test_a_username_is_matched_before_an_email_address(owner, url, make_person):
    make_person("someone", "x@example.com")
    make_person("x@example.com", "")
    response = owner.post(url, {"user": "x@example.com", "role": "editor"}, format="json")
    assert response.json()["username"] == "x@example.com"


def test_an_unknown_name_is_said_in_plain_words(owner, url):
    response = owner.post(url, {"user": "bobb", "role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"user": ["No user named 'bobb'"]}


def test_an_unknown_email_address_is_said_in_plain_words(owner, url, make_person):
    make_person("nomail", "")  # an account without an address matches no address
    response = owner.post(url, {"user": "x@y", "role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"user": ["No user with the e-mail address 'x@y'"]}


def test_an_email_address_of_several_accounts_is_refused(owner, url, make_person):
    make_person("bob1", "bob@example.com")
    make_person("bob2", "BOB@example.com")
    response = owner.post(url, {"user": "bob@example.com", "role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "user": [
            "Several accounts have the e-mail address 'bob@example.com'; share by username instead."
        ]
    }


@pytest.mark.parametrize("identifier", ["alice", "ALICE@example.com"])
def test_sharing_with_the_owner_who_is_oneself_is_refused(owner, url, identifier):
    response = owner.post(url, {"user": identifier, "role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"user": ["You own this document: you already hold every right."]}


def test_sharing_twice_is_refused(owner, url, make_user):
    make_user("bob", first_name="Bob")
    owner.post(url, {"user": "bob", "role": "editor"}, format="json")
    response = owner.post(url, {"user": "bob", "role": "viewer"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"user": ["Bob already has access; change their role instead."]}


def test_saying_nobody_is_refused(owner, url):
    response = owner.post(url, {"role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"user": ["This field is required."]}


def test_members_are_listed_by_display_name(owner, url, make_user, document):
    Membership.objects.create(
        document=document, user=make_user("bob", first_name="Bob", last_name="Builder")
    )
    Membership.objects.create(document=document, user=make_user("carol"), role="viewer")
    listed = {member["username"]: member for member in owner.get(url).json()}
    assert listed["bob"]["name"] == "Bob Builder"
    assert listed["carol"]["name"] == "carol"
    assert listed["carol"]["email"] == "carol@example.com"


@pytest.mark.parametrize("role", ["editor", "commenter", "viewer"])
def test_email_addresses_are_for_owners_only(client_for, url, make_user, document, role):
    member = make_user("member")
    Membership.objects.create(document=document, user=member, role=role)
    Membership.objects.create(document=document, user=make_user("carol"), role="viewer")
    listed = client_for(member).get(url).json()
    assert {entry["username"]: entry["email"] for entry in listed} == {
        "member": None,
        "carol": None,
    }


def test_a_role_change_answers_with_the_email_address_to_the_owner(owner, url, make_user, document):
    Membership.objects.create(document=document, user=make_user("bob"))
    response = owner.patch(f"{url}bob/", {"role": "viewer"}, format="json")
    assert response.json()["email"] == "bob@example.com"


@pytest.mark.parametrize("role", ["editor", "commenter", "viewer"])
@pytest.mark.parametrize("identifier", ["bobb", "bob", "x@y", "bob@example.com"])
def test_only_owners_learn_who_has_an_account(
    client_for, url, make_user, document, role, identifier
):
    """Editors, commenters and viewers are refused before the person is looked up: the same
    403 whether the name or address exists or not."""
    member = make_user("member")
    Membership.objects.create(document=document, user=member, role=role)
    make_user("bob")
    response = client_for(member).post(url, {"user": identifier, "role": "viewer"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": f"A {role} of this document may not do this."}


@pytest.mark.parametrize("who", ["stranger", "removed"])
def test_people_without_access_get_a_404(client_for, url, make_user, document, who):
    outsider = make_user(who)
    if who == "removed":
        Membership.objects.create(document=document, user=outsider).delete()
    response = client_for(outsider).post(url, {"user": "bobb", "role": "viewer"}, format="json")
    assert response.status_code == 404

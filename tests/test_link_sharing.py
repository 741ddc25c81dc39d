"""Link sharing: `link_access` (restricted, authenticated, public) with `link_role`, on REST, the
pages and the socket; documents opened by their link in the opener's list; anonymous visitors
of public links; turning a link off live."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from documents.access import role_from
from documents.models import Document, LinkVisit, Membership
from documents.roles import Role
from documents.visitors import AnonymousVisitor
from tests.conftest import async_db
from tests.test_live_api import paragraphs
from tests.test_pages import editor_config
from tests.wsclients import Closed, communicator, connected, expect_close


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def document(alice, make_document) -> Document:
    return make_document(alice, "Linked")


def set_link(document: Document, access: str, role: str = "viewer") -> None:
    Document.objects.filter(pk=document.pk).update(link_access=access, link_role=role)


# --------------------------------------------------------------------------------------------
# Who the link lets in, and as what.


@pytest.mark.django_db
def test_the_higher_of_membership_and_link_counts_and_a_link_never_makes_an_owner(alice):
    visitor = AnonymousVisitor()
    assert role_from(alice, alice.pk, None, "public", "editor") is Role.OWNER
    assert role_from(alice, 0, "viewer", "authenticated", "editor") is Role.EDITOR
    assert role_from(alice, 0, "editor", "public", "viewer") is Role.EDITOR
    assert role_from(alice, 0, None, "restricted", "editor") is None
    assert role_from(alice, 0, None, "authenticated", "commenter") is Role.COMMENTER
    assert role_from(visitor, 0, None, "authenticated", "editor") is None
    assert role_from(visitor, 0, None, "public", "commenter") is Role.COMMENTER


@pytest.mark.django_db
def test_only_the_owner_sets_the_link_and_only_to_known_values(
    alice, document, make_user, client_for
):
    editor = make_user("editor")
    Membership.objects.create(document=document, user=editor, role="editor")
    url = f"/api/documents/{document.id}/"
    owner = client_for(alice)

    response = owner.patch(url, {"link_access": "public", "link_role": "commenter"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["link_access"], response.json()["link_role"]) == ("public", "commenter")

    refused = client_for(editor).patch(url, {"link_access": "restricted"}, format="json")
    assert refused.status_code == 403
    # An editor still renames.
    assert client_for(editor).patch(url, {"title": "T"}, format="json").status_code == 200
    for bad in ({"link_role": "owner"}, {"link_access": "everyone"}, {"link_role": ""}):
        assert owner.patch(url, bad, format="json").status_code == 400
    document.refresh_from_db()
    assert (document.link_access, document.link_role) == ("public", "commenter")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "access, signed_in_role, anonymous_status",
    [("restricted", None, 401), ("authenticated", "editor", 401), ("public", "editor", 200)],
)
def test_each_link_mode_on_rest(
    document, make_user, client_for, access, signed_in_role, anonymous_status
):
    set_link(document, access, "editor")
    stranger = client_for(make_user("stranger"))
    content = f"/api/documents/{document.id}/content"
    detail = stranger.get(f"/api/documents/{document.id}/")
    if signed_in_role is None:
        assert detail.status_code == 404
        assert stranger.get(content).status_code == 404
    else:
        assert detail.json()["role"] == signed_in_role
        put = stranger.put(content, {"format": "text", "content": "by link"}, format="json")
        assert put.status_code == 200
    anonymous = APIClient()
    assert anonymous.get(f"{content}?format=text").status_code == anonymous_status
    assert anonymous.get(f"/api/documents/{document.id}/export?format=txt").status_code == (
        anonymous_status
    )


@pytest.mark.django_db
def test_a_link_viewer_reads_but_does_not_write(document, make_user, client_for):
    set_link(document, "public", "viewer")
    put = APIClient().put(
        f"/api/documents/{document.id}/content", {"format": "text", "content": "x"}, format="json"
    )
    assert put.status_code == 403
    stranger = client_for(make_user("stranger"))
    assert stranger.patch(f"/api/documents/{document.id}/", {"title": "T"}).status_code == 403


@pytest.mark.django_db
def test_those_who_came_by_the_link_never_see_the_members(document, make_user, client_for):
    Membership.objects.create(document=document, user=make_user("bob"), role="editor")
    set_link(document, "public", "editor")
    members = f"/api/documents/{document.id}/members/"
    for client in (APIClient(), client_for(make_user("stranger"))):
        response = client.get(members)
        assert response.status_code == 403
        assert "bob" not in response.content.decode()


# --------------------------------------------------------------------------------------------
# The pages, and the list.


@pytest.mark.django_db
def test_a_document_opened_by_its_link_joins_the_list_while_the_link_lets_in(
    document, make_user, client_for, client: Client
):
    stranger = make_user("stranger")

    def listed() -> list[str]:
        found = client_for(stranger).get("/api/documents/").json()["results"]
        return [entry["id"] for entry in found]

    set_link(document, "authenticated", "commenter")
    assert listed() == []  # not before it was opened

    client.force_login(stranger)
    page = client.get(f"/documents/{document.id}/")
    assert page.status_code == 200
    config = editor_config(page)
    assert (config["role"], config["isMember"], config["signedIn"]) == ("commenter", False, True)
    assert listed() == [str(document.id)]
    assert LinkVisit.objects.filter(document=document, user=stranger).count() == 1

    set_link(document, "restricted")
    assert listed() == []
    assert client.get(f"/documents/{document.id}/").status_code == 404


@pytest.mark.django_db
def test_members_opening_the_page_leave_no_link_visit(alice, document, client: Client):
    set_link(document, "public")
    client.force_login(alice)
    assert client.get(f"/documents/{document.id}/").status_code == 200
    assert not LinkVisit.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_open_public_documents_only(document, client: Client):
    url = f"/documents/{document.id}/"
    assert client.get(url)["Location"].startswith("/accounts/login/?next=")
    set_link(document, "public", "viewer")
    page = client.get(url)
    assert page.status_code == 200
    config = editor_config(page)
    assert config["signedIn"] is False and config["role"] == "viewer"
    assert config["user"]["id"] is None
    assert "Sign in" in page.content.decode()
    assert not LinkVisit.objects.exists()


# --------------------------------------------------------------------------------------------
# The socket.


@pytest.mark.parametrize("access", ["restricted", "authenticated"])
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
async def test_a_signed_out_socket_is_asked_to_sign_in_unless_the_link_is_public(document, access):
    await async_db(set_link)(document, access, "editor")
    comm = communicator(f"/ws/documents/{document.id}")
    assert (await comm.connect())[0]
    assert await expect_close(comm) == 4401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
async def test_anonymous_visitors_are_seen_by_animal_names_and_hold_the_links_role(
    alice, document, token_for
):
    await async_db(set_link)(document, "public", "viewer")
    owner_token = await async_db(token_for)(alice)
    async with (
        connected(document.id, owner_token) as owner,
        connected(document.id, "") as first,
        connected(document.id, "") as second,
    ):
        await first.set_presence(101, 1, {"user": {"name": "Alice (really)"}})
        await second.set_presence(202, 1, {"user": {"name": "Alice (really)"}})
        await owner.wait_for(lambda: {101, 202} <= owner.presence().keys())
        names = {owner.presence()[cid]["user"]["name"] for cid in (101, 202)}
        assert all(name.startswith("Anonymous ") for name in names)
        # One visitor cannot speak for the other's client id.
        await second.set_presence(101, 2, None)
        await owner.pump_for(0.2)
        assert 101 in owner.presence()

        await owner.append_paragraph("from the owner")
        await first.wait_for(lambda: paragraphs(first.fragment) == ["from the owner"])
        await first.append_paragraph("from a viewer")
        await first.wait_for(
            lambda: {"type": "role", "role": "viewer", "refused": True} in first.notices
        )
        await owner.roundtrip()
        assert paragraphs(owner.fragment) == ["from the owner"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
async def test_changing_the_link_follows_at_once_and_turning_it_off_closes_its_sockets(
    alice, document, make_user, client_for, token_for
):
    owner = await async_db(client_for)(alice)
    stranger_token = await async_db(token_for)(await async_db(make_user)("stranger"))
    url = f"/api/documents/{document.id}/"
    patch = async_db(lambda body: owner.patch(url, body, format="json"))
    assert (await patch({"link_access": "public", "link_role": "viewer"})).status_code == 200
    owner_token = await async_db(token_for)(alice)
    async with (
        connected(document.id, owner_token) as kept,
        connected(document.id, "") as visitor,
        connected(document.id, stranger_token) as signed_in,
    ):
        assert (await patch({"link_role": "editor"})).status_code == 200
        for client in (visitor, signed_in):
            await client.wait_for(
                lambda c=client: c.notices == [{"type": "role", "role": "editor"}], 2
            )
        await visitor.append_paragraph("by an anonymous editor")
        await kept.wait_for(lambda: paragraphs(kept.fragment) == ["by an anonymous editor"])

        assert (await patch({"link_access": "restricted"})).status_code == 200
        for client in (visitor, signed_in):
            with pytest.raises(Closed) as closed:
                await client.wait_for(lambda: False, 2)
            assert closed.value.code == 4403
        await kept.append_paragraph("the owner stays")
        await kept.roundtrip()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
async def test_anonymous_sockets_are_limited_per_address(document, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_ANONYMOUS_SOCKETS_PER_ADDRESS": 2}
    await async_db(set_link)(document, "public")
    async with connected(document.id, ""), connected(document.id, ""):
        third = communicator(f"/ws/documents/{document.id}")
        await third.connect()
        assert await expect_close(third) == 4429
    async with connected(document.id, ""), connected(document.id, ""):
        pass

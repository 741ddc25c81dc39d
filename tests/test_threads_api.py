"""The comment threads' REST API: starting threads by anchor or by quote, replies, edits,
deletes, resolve and reopen, mentions, the limits, and hostile input."""

import base64

import pytest
from django.core import mail  # noqa: F401  (the locmem outbox is checked in the e-mail tests)
from django.test import override_settings

from documents.comments.anchors import Position, anchor_quote
from documents.comments.models import Comment, CommentThread
from documents.live import read_document
from documents.models import Membership, Notification

pytestmark = pytest.mark.django_db

TEXT = "The quick brown fox jumps over the lazy dog.\n\nA second paragraph, quick too."


@pytest.fixture
def people(make_user):
    return {
        name: make_user(name, first_name=name.title()) for name in ("alice", "bob", "carol", "dave")
    }


@pytest.fixture
def document(people, make_document, client_for):
    document = make_document(people["alice"], "Notes")
    for name, role in (("bob", "commenter"), ("carol", "viewer")):
        Membership.objects.create(document=document, user=people[name], role=role)
    response = client_for(people["alice"]).put(
        f"/api/documents/{document.id}/content", {"format": "text", "content": TEXT}, format="json"
    )
    assert response.status_code == 200
    return document


def threads_url(document, rest: str = "") -> str:
    return f"/api/documents/{document.id}/threads/{rest}"


def b64(position: Position) -> str:
    return base64.b64encode(position.encode()).decode()


def anchor_of(document, quote: str, occurrence: int = 1) -> dict:
    start, end = anchor_quote(read_document(document.id), quote, occurrence)
    return {"start": b64(start), "end": b64(end)}


def start(client, document, body="Look", **where):
    return client.post(threads_url(document), {"body": body, **where}, format="json")


def test_a_commenter_starts_a_thread_on_a_quote(people, document, client_for):
    response = start(client_for(people["bob"]), document, quote="brown fox")
    assert response.status_code == 201, response.content
    thread = response.json()
    assert thread["quote"] == "brown fox"
    assert thread["status"] == "open" and thread["orphaned"] is False
    assert thread["author"]["username"] == "bob"
    assert [c["body"] for c in thread["comments"]] == ["Look"]
    assert set(thread["anchor"]) == {"start", "end"}


def test_a_browser_anchor_quotes_the_text_between_its_positions(people, document, client_for):
    anchor = anchor_of(document, "lazy dog")
    response = start(client_for(people["alice"]), document, anchor=anchor)
    assert response.status_code == 201, response.content
    assert response.json()["quote"] == "lazy dog"
    assert response.json()["anchor"] == anchor


def test_the_occurrence_picks_which_appearance(people, document, client_for):
    response = start(client_for(people["bob"]), document, quote="quick", occurrence=2)
    assert response.status_code == 201
    listed = client_for(people["bob"]).get(threads_url(document)).json()["results"]
    assert listed[0]["quote"] == "quick"
    # The second "quick" is in the second paragraph: the anchor is after the first one.
    first = start(client_for(people["bob"]), document, quote="quick", occurrence=1).json()
    order = [
        t["id"] for t in client_for(people["bob"]).get(threads_url(document)).json()["results"]
    ]
    assert order == [first["id"], response.json()["id"]]


def test_a_quote_across_paragraphs(people, document, client_for):
    response = start(client_for(people["bob"]), document, quote="dog.\nA second")
    assert response.status_code == 201, response.content
    assert response.json()["quote"] == "dog.\nA second"


@pytest.mark.parametrize(
    "where, field",
    [
        ({"quote": "not in the text"}, "anchor"),
        ({"quote": "quick", "occurrence": 3}, "anchor"),
        ({"quote": "dog.\n"}, "anchor"),  # ends with the line break, not with text
        ({}, "anchor"),
        ({"quote": "fox", "anchor": {"start": "AA==", "end": "AA=="}}, "anchor"),
        ({"anchor": {"start": "not base64!", "end": "AA=="}}, "anchor"),
        ({"anchor": {"start": base64.b64encode(b"\x01\x07default\x00").decode(), "end": "AA=="}},
         "anchor"),
        ({"anchor": {"start": base64.b64encode(bytes(30)).decode(), "end": "AA=="}}, "anchor"),
        ({"quote": "x" * 1001}, "quote"),
        ({"quote": "fox", "occurrence": 0}, "occurrence"),
    ],
)  # fmt: skip
def test_where_a_thread_cannot_be(people, document, client_for, where, field):
    response = start(client_for(people["bob"]), document, **where)
    assert response.status_code == 400
    assert field in response.json() or field in str(response.json())
    assert not CommentThread.objects.exists()


def test_positions_of_another_document_are_refused(people, document, make_document, client_for):
    other = make_document(people["alice"], "Other")
    client_for(people["alice"]).put(
        f"/api/documents/{other.id}/content",
        {"format": "text", "content": "Elsewhere"},
        format="json",
    )
    anchor = anchor_of(other, "Elsewhere")
    response = start(client_for(people["alice"]), document, anchor=anchor)
    assert response.status_code == 400
    assert "anchor" in response.json()


def test_forged_positions_on_unknown_items_are_refused(people, document, client_for):
    forged = {"start": b64(Position(123, 4, 0)), "end": b64(Position(2**53 - 1, 2**53 - 1, -1))}
    response = start(client_for(people["bob"]), document, anchor=forged)
    assert response.status_code == 400
    assert "anchor" in response.json()


def test_an_empty_or_overlong_body_is_refused(people, document, client_for):
    client = client_for(people["bob"])
    assert start(client, document, body="   ", quote="fox").status_code == 400
    with override_settings(COMMENTS={**_limits(), "MAX_BODY_CHARS": 10}):
        response = start(client, document, body="x" * 11, quote="fox")
    assert response.status_code == 400 and "body" in response.json()
    assert not CommentThread.objects.exists()


def _limits() -> dict:
    from django.conf import settings

    return dict(settings.COMMENTS)


def test_a_viewer_reads_but_does_not_write(people, document, client_for):
    thread = start(client_for(people["bob"]), document, quote="fox").json()
    viewer = client_for(people["carol"])
    assert viewer.get(threads_url(document)).json()["count"] == 1
    assert start(viewer, document, quote="dog").status_code == 403
    url = threads_url(document, f"{thread['id']}/comments/")
    assert viewer.post(url, {"body": "me too"}, format="json").status_code == 403
    assert viewer.post(threads_url(document, f"{thread['id']}/resolve/")).status_code == 403


def test_replies_edits_and_deletes(people, document, client_for):
    alice, bob = client_for(people["alice"]), client_for(people["bob"])
    thread = start(alice, document, quote="fox").json()
    comments = threads_url(document, f"{thread['id']}/comments/")
    reply = bob.post(comments, {"body": "Agreed"}, format="json")
    assert reply.status_code == 201
    reply_id = reply.json()["id"]
    # Only the author edits; the owner may delete anyone's.
    assert (
        alice.patch(f"{comments}{reply_id}/", {"body": "Hijack"}, format="json").status_code == 403
    )
    edited = bob.patch(f"{comments}{reply_id}/", {"body": "Agreed, mostly"}, format="json")
    assert edited.status_code == 200 and edited.json()["edited"] is not None
    first_id = thread["comments"][0]["id"]
    assert bob.delete(f"{comments}{first_id}/").status_code == 403
    assert alice.delete(f"{comments}{reply_id}/").status_code == 204
    assert [
        c["body"] for c in alice.get(threads_url(document, f"{thread['id']}/")).json()["comments"]
    ] == ["Look"]
    # Deleting the first comment deletes the thread.
    assert alice.delete(f"{comments}{first_id}/").status_code == 204
    assert alice.get(threads_url(document, f"{thread['id']}/")).status_code == 404


def test_resolve_and_reopen_and_the_status_filter(people, document, client_for):
    bob = client_for(people["bob"])
    thread = start(bob, document, quote="fox").json()
    start(bob, document, quote="dog")
    resolved = bob.post(threads_url(document, f"{thread['id']}/resolve/"))
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"]["username"] == "bob"
    assert [
        t["quote"] for t in bob.get(threads_url(document) + "?status=open").json()["results"]
    ] == ["dog"]
    assert [
        t["quote"] for t in bob.get(threads_url(document) + "?status=resolved").json()["results"]
    ] == ["fox"]
    assert bob.get(threads_url(document) + "?status=maybe").status_code == 400
    reopened = bob.post(threads_url(document, f"{thread['id']}/reopen/")).json()
    assert reopened["status"] == "open" and reopened["resolved_by"] is None


def test_a_thread_of_another_document_is_a_404(people, document, make_document, client_for):
    thread = start(client_for(people["bob"]), document, quote="fox").json()
    other = make_document(people["alice"], "Other")
    url = f"/api/documents/{other.id}/threads/{thread['id']}/"
    assert client_for(people["alice"]).get(url).status_code == 404


def test_mentions_are_stored_as_references_and_notify(people, document, client_for):
    bob = client_for(people["bob"])
    thread = start(bob, document, body="Ask <@alice> and <@carol>", quote="fox").json()
    comment = Comment.objects.get(pk=thread["comments"][0]["id"])
    assert comment.body == f"Ask <@{people['alice'].pk}> and <@{people['carol'].pk}>"
    assert thread["comments"][0]["body"] == "Ask <@alice> and <@carol>"
    assert {m["username"] for m in thread["comments"][0]["mentions"]} == {"alice", "carol"}
    told = Notification.objects.filter(kind="mentioned")
    assert {n.recipient.username for n in told} == {"alice", "carol"}
    # A renamed user is still the one mentioned, under the new name.
    people["alice"].username = "alice2"
    people["alice"].save()
    again = bob.get(threads_url(document, f"{thread['id']}/")).json()
    assert again["comments"][0]["body"] == "Ask <@alice2> and <@carol>"


def test_a_mention_of_someone_without_access_is_refused_alike(people, document, client_for):
    bob = client_for(people["bob"])
    for body in ("Hi <@dave>", "Hi <@nobody-at-all>"):
        response = start(bob, document, body=body, quote="fox")
        assert response.status_code == 400
        assert "mentions" in response.json()
    assert not CommentThread.objects.exists()
    assert not Notification.objects.exists()


def test_an_owner_shares_then_mentions(people, document, client_for):
    alice = client_for(people["alice"])
    found = alice.get(f"/api/documents/{document.id}/people/?q=da").json()
    assert found == [{"username": "dave", "name": "Dave", "member": False}]
    alice.post(
        f"/api/documents/{document.id}/members/",
        {"user": "dave", "role": "commenter"},
        format="json",
    )
    assert start(alice, document, body="Over to <@dave>", quote="fox").status_code == 201
    assert Notification.objects.filter(kind="mentioned", recipient=people["dave"]).exists()
    assert (
        client_for(people["bob"]).get(f"/api/documents/{document.id}/people/?q=da").status_code
        == 403
    )


def test_a_reply_notifies_earlier_participants_once(people, document, client_for):
    alice, bob = client_for(people["alice"]), client_for(people["bob"])
    Membership.objects.filter(user=people["carol"]).update(role="commenter")
    thread = start(alice, document, quote="fox").json()
    comments = threads_url(document, f"{thread['id']}/comments/")
    bob.post(comments, {"body": "Me"}, format="json")
    client_for(people["carol"]).post(comments, {"body": "Also <@alice>"}, format="json")
    kinds = sorted((n.recipient.username, n.kind) for n in Notification.objects.all())
    # Bob's reply told Alice; Carol's told Bob (a reply) and Alice (a mention, not twice).
    assert kinds == [("alice", "mentioned"), ("alice", "replied"), ("bob", "replied")]


def test_a_removed_participant_is_not_told(people, document, client_for):
    bob = client_for(people["bob"])
    thread = start(bob, document, quote="fox").json()
    Membership.objects.filter(user=people["bob"]).delete()
    client_for(people["alice"]).post(
        threads_url(document, f"{thread['id']}/comments/"), {"body": "Thanks"}, format="json"
    )
    assert not Notification.objects.filter(recipient=people["bob"]).exists()


def test_the_limits_of_threads_and_comments(people, document, client_for):
    bob = client_for(people["bob"])
    with override_settings(
        COMMENTS={**_limits(), "MAX_THREADS_PER_DOCUMENT": 2, "MAX_COMMENTS_PER_THREAD": 2}
    ):
        thread = start(bob, document, quote="fox").json()
        assert start(bob, document, quote="dog").status_code == 201
        assert start(bob, document, quote="lazy").status_code == 400
        comments = threads_url(document, f"{thread['id']}/comments/")
        assert bob.post(comments, {"body": "2"}, format="json").status_code == 201
        assert bob.post(comments, {"body": "3"}, format="json").status_code == 400
    with override_settings(COMMENTS={**_limits(), "MAX_MENTIONS": 1}):
        response = start(bob, document, body="<@alice> <@carol>", quote="quick")
        assert response.status_code == 400 and "mentions" in response.json()
    assert CommentThread.objects.count() == 2


def test_the_comment_rate(people, document, client_for):
    bob = client_for(people["bob"])
    with override_settings(COMMENT_RATE="2/minute"):
        from django.core.cache import cache

        cache.clear()
        assert start(bob, document, quote="fox").status_code == 201
        assert start(bob, document, quote="dog").status_code == 201
        assert start(bob, document, quote="lazy").status_code == 429
        assert bob.get(threads_url(document)).status_code == 200


def test_seen_marks_when_i_last_looked(people, document, client_for):
    bob = client_for(people["bob"])
    assert bob.get(threads_url(document, "seen/")).json() == {"seen": None}
    marked = bob.post(threads_url(document, "seen/")).json()["seen"]
    assert bob.get(threads_url(document, "seen/")).json()["seen"] == marked


def test_anonymous_visitors_of_a_public_link_read_but_do_not_write(people, document, client_for):
    from rest_framework.test import APIClient

    start(client_for(people["bob"]), document, quote="fox")
    document.link_access, document.link_role = "public", "commenter"
    document.save()
    visitor = APIClient()
    assert visitor.get(threads_url(document)).json()["count"] == 1
    assert start(visitor, document, quote="dog").status_code == 401
    assert CommentThread.objects.count() == 1


def located_quote(document, thread_id) -> str | None:
    from documents.comments.threads import locate_threads

    thread = CommentThread.objects.get(pk=thread_id)
    found = locate_threads(document.id, [thread])[thread.id]
    return None if found is None else found.quote


def put_text(client, document, text: str) -> None:
    response = client.put(
        f"/api/documents/{document.id}/content", {"format": "text", "content": text}, format="json"
    )
    assert response.status_code == 200


def test_a_rest_put_keeps_anchors_where_their_text_survives(people, document, client_for):
    alice = client_for(people["alice"])
    thread = start(alice, document, quote="lazy dog").json()
    put_text(alice, document, TEXT.replace("quick", "swift", 1).replace("lazy dog", "lazy old dog"))
    assert located_quote(document, thread["id"]) == "lazy old dog"
    assert alice.get(threads_url(document, f"{thread['id']}/")).json()["orphaned"] is False
    put_text(alice, document, "Nothing of it is left.")
    again = alice.get(threads_url(document, f"{thread['id']}/")).json()
    assert again["orphaned"] is True and again["quote"] == "lazy dog"


def test_a_version_restore_keeps_anchors_where_their_text_survives(people, document, client_for):
    alice = client_for(people["alice"])
    version = alice.post(f"/api/documents/{document.id}/versions/", {"name": "v1"}, format="json")
    thread = start(alice, document, quote="brown fox").json()
    put_text(alice, document, TEXT + "\n\nAn added paragraph.")
    restored = alice.post(f"/api/documents/{document.id}/versions/{version.json()['id']}/restore/")
    assert restored.status_code == 200
    assert located_quote(document, thread["id"]) == "brown fox"

"""The comments feed (documents/comments/feed.py): every change to threads made over REST
reaches the open editors of the document within a second, as message type 101; mentioned
people's sockets hear that their bell has news; clients may not send the type."""

import time

import pytest
from pycrdt import write_message

from documents.models import Membership
from tests.test_live_api import api_for, call
from tests.wsclients import Closed, connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]


@pytest.fixture
def shared(make_user, make_document, token_for, client_for):
    """A document of Alice's with text, shared with Bob (commenter) and Carol (viewer)."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    document = make_document(alice, "Notes")
    Membership.objects.create(document=document, user=bob, role="commenter")
    Membership.objects.create(document=document, user=carol, role="viewer")
    client_for(alice).put(
        f"/api/documents/{document.id}/content",
        {"format": "text", "content": "The quick brown fox."},
        format="json",
    )
    return document, {name: token_for(user) for name, user in zip(
        ("alice", "bob", "carol"), (alice, bob, carol), strict=True
    )}  # fmt: skip


def threads(document) -> str:
    return f"/api/documents/{document.id}/threads/"


async def test_every_thread_change_reaches_every_open_editor_within_a_second(shared):
    document, tokens = shared
    bob = api_for(tokens["bob"])
    async with (
        connected(document.id, tokens["alice"]) as alice,
        connected(document.id, tokens["carol"]) as carol,
    ):
        started = time.monotonic()
        created = await call(bob, "post", threads(document), {"body": "Hm", "quote": "brown"})
        assert created.status_code == 201
        thread_id = created.json()["id"]

        def latest(client) -> dict | None:
            return client.comment_messages[-1] if client.comment_messages else None

        for client in (alice, carol):
            await client.wait_for(lambda c=client: latest(c) is not None, 1)
        assert time.monotonic() - started < 1
        assert latest(alice) == {"type": "thread", "thread": created.json()}

        steps = [
            ("post", f"{thread_id}/comments/", {"body": "Reply"}),
            ("post", f"{thread_id}/resolve/", None),
            ("post", f"{thread_id}/reopen/", None),
        ]
        for method, rest, body in steps:
            seen = len(alice.comment_messages)
            answer = await call(bob, method, threads(document) + rest, body)
            assert answer.status_code in (200, 201), answer.content
            await alice.wait_for(lambda n=seen: len(alice.comment_messages) > n, 1)
        shown = [message["thread"] for message in alice.comment_messages]
        assert [len(thread["comments"]) for thread in shown] == [1, 2, 2, 2]
        assert [thread["status"] for thread in shown] == ["open", "open", "resolved", "open"]

        reply_id = shown[1]["comments"][1]["id"]
        await call(
            bob, "patch", f"{threads(document)}{thread_id}/comments/{reply_id}/", {"body": "Edited"}
        )
        await alice.wait_for(lambda: len(alice.comment_messages) == 5, 1)
        assert alice.comment_messages[-1]["thread"]["comments"][1]["body"] == "Edited"
        await call(bob, "delete", f"{threads(document)}{thread_id}/comments/{reply_id}/")
        await alice.wait_for(lambda: len(alice.comment_messages) == 6, 1)
        assert len(alice.comment_messages[-1]["thread"]["comments"]) == 1

        first_id = created.json()["comments"][0]["id"]
        await call(bob, "delete", f"{threads(document)}{thread_id}/comments/{first_id}/")
        await carol.wait_for(
            lambda: latest(carol) == {"type": "thread.deleted", "id": thread_id}, 1
        )


async def test_a_mention_tells_the_mentioned_socket_that_the_bell_has_news(shared):
    document, tokens = shared
    async with (
        connected(document.id, tokens["alice"]) as alice,
        connected(document.id, tokens["carol"]) as carol,
    ):
        created = await call(
            api_for(tokens["bob"]), "post", threads(document),
            {"body": "Look, <@alice>", "quote": "fox"},
        )  # fmt: skip
        assert created.status_code == 201
        await alice.wait_for(lambda: {"type": "notifications"} in alice.notices, 1)
        await carol.wait_for(lambda: len(carol.comment_messages) == 1, 1)
        assert {"type": "notifications"} not in carol.notices


async def test_a_failed_change_announces_nothing(shared):
    document, tokens = shared
    async with connected(document.id, tokens["alice"]) as alice:
        refused = await call(
            api_for(tokens["carol"]), "post", threads(document), {"body": "x", "quote": "fox"}
        )
        assert refused.status_code == 403
        await call(
            api_for(tokens["bob"]), "post", threads(document), {"body": "x", "quote": "zebra"}
        )
        await alice.pump_for(0.5)
        assert alice.comment_messages == []


async def test_a_client_may_not_send_the_comments_type(shared):
    document, tokens = shared
    async with connected(document.id, tokens["bob"]) as bob:
        await bob.send_raw(bytes((101,)) + write_message(b'{"type":"thread"}'))
        with pytest.raises(Closed) as closed:
            await bob.wait_for(lambda: False, 3)
        assert closed.value.code == 4400

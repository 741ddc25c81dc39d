"""Every REST endpoint and the WebSocket, as owner, editor, commenter, viewer, removed member,
stranger and anonymous: who may do what, and that those who may not see a document get a 404
(4404)."""

import io
from dataclasses import dataclass

import pytest
from pycrdt import XmlFragment
from rest_framework.test import APIClient

from documents import content, live
from documents.attachments.files import add_attachment
from documents.comments import threads
from documents.comments.models import Comment, CommentThread
from documents.models import Attachment, Membership, Notification, Version
from tests.attachment_files import attachment_storage, image_bytes, upload  # noqa: F401
from tests.test_live_api import paragraphs
from tests.wsclients import communicator, connected, expect_close

TEXT = "Hello there, world"
ROLES = ["owner", "editor", "commenter", "viewer", "removed", "stranger", "anonymous"]


@dataclass
class World:
    document: object
    version: Version
    attachment: Attachment
    thread: CommentThread
    reply: Comment
    notification: Notification
    tokens: dict[str, str]


@pytest.fixture
def world(make_user, make_document, token_for, attachment_storage) -> World:  # noqa: F811
    users = {role: make_user(role) for role in ROLES if role != "anonymous"}
    document = make_document(users["owner"], "Shared")
    Membership.objects.create(document=document, user=users["editor"], role="editor")
    Membership.objects.create(document=document, user=users["commenter"], role="commenter")
    Membership.objects.create(document=document, user=users["viewer"], role="viewer")
    removed = Membership.objects.create(document=document, user=users["removed"], role="editor")
    removed.delete()
    make_user("newcomer")
    Membership.objects.create(document=document, user=make_user("member2"), role="viewer")
    version = Version.objects.create(
        document=document, name="v1", snapshot=b"\x00\x00", author=users["owner"]
    )
    attachment = add_attachment(document, users["owner"], io.BytesIO(image_bytes()))
    new = content.parse("text", TEXT)
    live.change_document(
        document.id, lambda doc: content.replace_content(doc.get("default", type=XmlFragment), new)
    )
    thread = threads.start_thread(
        document, users["owner"], "Look, <@commenter>", quote=("Hello", 1)
    )
    reply = threads.reply(thread, users["commenter"], "Seen")
    notification = Notification.objects.get(recipient=users["commenter"])
    tokens = {role: token_for(user) for role, user in users.items()}
    return World(document, version, attachment, thread, reply, notification, tokens)


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    return client


# (method, path, body, expected status for each of ROLES)
D = "/api/documents/{doc}/"
T = D + "threads/"
UPLOAD = "an image, as multipart"
MATRIX = [
    ("get", D, None, [200, 200, 200, 200, 404, 404, 401]),
    ("patch", D, {"title": "Renamed"}, [200, 200, 403, 403, 404, 404, 401]),
    ("delete", D, None, [204, 403, 403, 403, 404, 404, 401]),
    ("get", D + "content?format=markdown", None, [200, 200, 200, 200, 404, 404, 401]),
    ("get", D + "export?format=txt", None, [200, 200, 200, 200, 404, 404, 401]),
    ("put", D + "content", {"format": "text", "content": "hi"},
     [200, 200, 403, 403, 404, 404, 401]),
    ("get", D + "members/", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", D + "members/", {"username": "newcomer", "role": "viewer"},
     [201, 403, 403, 403, 404, 404, 401]),
    ("patch", D + "members/member2/", {"role": "editor"}, [200, 403, 403, 403, 404, 404, 401]),
    ("delete", D + "members/member2/", None, [204, 403, 403, 403, 404, 404, 401]),
    ("get", D + "versions/", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", D + "versions/", {"name": "mine"}, [201, 201, 403, 403, 404, 404, 401]),
    ("get", D + "versions/{version}/?format=html", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", D + "versions/{version}/restore/", None, [200, 200, 403, 403, 404, 404, 401]),
    ("post", D + "attachments/", UPLOAD, [201, 201, 403, 403, 404, 404, 401]),
    # An address that is not http(s): refused before any network, but only to those who may.
    ("post", D + "attachments/fetch/", {"url": "ftp://example.com/a.png"},
     [400, 400, 403, 403, 404, 404, 401]),
    # Asking tells nothing, whoever asks; only the owner sees and answers the requests.
    ("post", D + "access/request/", None, [202, 202, 202, 202, 202, 202, 401]),
    ("get", D + "access-requests/", None, [200, 403, 403, 403, 404, 404, 401]),
    ("delete", D + "access-requests/newcomer/", None, [404, 403, 403, 403, 404, 404, 401]),
    # Everyone who may open the document reads its threads; commenters and up write them.
    ("get", T, None, [200, 200, 200, 200, 404, 404, 401]),
    ("get", T + "?status=resolved", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", T, {"body": "New", "quote": "world"}, [201, 201, 201, 403, 404, 404, 401]),
    ("get", T + "{thread}/", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", T + "{thread}/comments/", {"body": "Re"}, [201, 201, 201, 403, 404, 404, 401]),
    # The reply is the commenter's: only its author edits it; the owner may delete it too.
    ("patch", T + "{thread}/comments/{reply}/", {"body": "Edited"},
     [403, 403, 200, 403, 404, 404, 401]),
    ("delete", T + "{thread}/comments/{reply}/", None, [204, 403, 204, 403, 404, 404, 401]),
    ("post", T + "{thread}/resolve/", None, [200, 200, 200, 403, 404, 404, 401]),
    ("post", T + "{thread}/reopen/", None, [200, 200, 200, 403, 404, 404, 401]),
    ("get", T + "seen/", None, [200, 200, 200, 200, 404, 404, 401]),
    ("post", T + "seen/", None, [200, 200, 200, 200, 404, 404, 401]),
    ("get", D + "people/?q=new", None, [200, 403, 403, 403, 404, 404, 401]),
    # Notifications are each person's own; the commenter's mention is theirs alone to read.
    ("get", "/api/notifications/", None, [200, 200, 200, 200, 200, 200, 401]),
    ("post", "/api/notifications/read-all/", None, [200, 200, 200, 200, 200, 200, 401]),
    ("post", "/api/notifications/{notification}/read/", None,
     [404, 404, 200, 404, 404, 404, 401]),
    # Those who may not view the document get the 404 of an unknown id, signed in or not.
    ("get", D + "attachments/{attachment}", None, [200, 200, 200, 200, 404, 404, 404]),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize(
    "method, path, body, expected", MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX]
)
def test_rest_matrix(world, role_index, role, method, path, body, expected):
    url = path.format(
        doc=world.document.id,
        version=world.version.id,
        attachment=world.attachment.id,
        thread=world.thread.id,
        reply=world.reply.id,
        notification=world.notification.id,
    )
    client = client_for(world, role)
    if body is UPLOAD:
        response = client.post(url, {"file": upload("x.png", image_bytes())}, format="multipart")
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected[role_index], response.content
    if response.status_code >= 400:
        assert "detail" in response.json() or response.json(), "errors are JSON"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_a_document_to_its_members_only(world, role):
    response = client_for(world, role).get("/api/documents/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    listed = {doc["id"]: doc["role"] for doc in response.json()["results"]}
    if role in ("owner", "editor", "commenter", "viewer"):
        assert listed == {str(world.document.id): role}
    else:
        assert listed == {}


@pytest.mark.django_db
def test_a_guessed_id_is_a_404_like_a_hidden_one(world):
    client = client_for(world, "stranger")
    guessed = client.get("/api/documents/00000000-0000-0000-0000-000000000001/")
    hidden = client.get(f"/api/documents/{world.document.id}/")
    assert guessed.status_code == hidden.status_code == 404
    assert guessed.json() == hidden.json()


WS_EXPECTED = {"removed": 4404, "stranger": 4404, "anonymous": 4401}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("role", ROLES)
async def test_websocket_matrix(world, role):
    token = world.tokens.get(role, "")
    comm = communicator(f"/ws/documents/{world.document.id}?token={token}")
    assert (await comm.connect())[0]
    if role in WS_EXPECTED:
        assert await expect_close(comm) == WS_EXPECTED[role]
    else:
        assert (await comm.receive_from())[:2] == b"\x00\x00"  # sync step 1: admitted
        await comm.disconnect()


WRITERS = {"owner", "editor"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("role", ["owner", "editor", "commenter", "viewer"])
async def test_on_the_socket_every_reader_is_seen_and_only_writers_change_the_text(world, role):
    watcher_token = world.tokens["editor" if role == "owner" else "owner"]
    async with (
        connected(world.document.id, watcher_token) as watcher,
        connected(world.document.id, world.tokens[role]) as member,
    ):
        await member.set_presence(4242, 1, {"cursor": None})
        await watcher.wait_for(lambda: 4242 in watcher.presence())
        await member.append_paragraph(f"typed by the {role}")
        if role in WRITERS:
            await watcher.wait_for(
                lambda: paragraphs(watcher.fragment) == [TEXT, f"typed by the {role}"]
            )
        else:
            await member.wait_for(
                lambda: {"type": "role", "role": role, "refused": True} in member.notices
            )
            await watcher.roundtrip()
            assert paragraphs(watcher.fragment) == [TEXT]

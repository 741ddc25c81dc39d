"""CommentsFeed: the session feature that keeps open editors' comments in step.

Every change to a document's threads, made through REST in any process, is published on the
document's channel-layer group after its transaction commits (`ThreadChanged`,
`ThreadDeleted`); each process's session of the document hands it to its sockets as a message
of type 101, the comments feed:

    var-uint 101, then a var-string holding one JSON object:
    {"type": "thread", "thread": <the thread as GET threads/<id>/ shows it>}
    {"type": "thread.deleted", "id": "<thread id>"}

Stock Yjs clients skip the type; the server accepts none from clients. An editor that was
disconnected reads the threads again over REST when it is back.
"""

import json
from dataclasses import dataclass
from typing import ClassVar

from documents.realtime.events import Event, event
from documents.realtime.features import Feature
from documents.realtime.protocol import feature_message

COMMENTS_MESSAGE_TYPE = 101


@event
@dataclass(frozen=True, slots=True)
class ThreadChanged(Event):
    """A thread is new or changed; `thread` is its JSON as clients read it."""

    NAME: ClassVar[str] = "comments.thread"
    thread: str


@event
@dataclass(frozen=True, slots=True)
class ThreadDeleted(Event):
    NAME: ClassVar[str] = "comments.thread_deleted"
    id: str


class CommentsFeed(Feature):
    async def event(self, event: Event) -> None:
        match event:
            case ThreadChanged():
                # The thread's JSON goes out as it came: spliced, not parsed and dumped again.
                frame = feature_message(
                    COMMENTS_MESSAGE_TYPE, f'{{"type":"thread","thread":{event.thread}}}'.encode()
                )
                await self.session.broadcast(frame)
            case ThreadDeleted():
                payload = json.dumps({"type": "thread.deleted", "id": event.id})
                await self.session.broadcast(
                    feature_message(COMMENTS_MESSAGE_TYPE, payload.encode())
                )

"""Property tests: no frame, however malformed, gets past the decoder or the session with
anything but a ProtocolError, and none changes the document or the presence."""

import asyncio
import contextlib
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text, create_update_message, write_var_uint

from documents.realtime.presence import Presence
from documents.realtime.protocol import ProtocolError, decode_awareness, decode_message
from documents.realtime.session import DocumentSession
from tests.session_fakes import NullLink, NullWriter, RecordingPeer

var_uint = st.integers(min_value=0, max_value=2**53).map(write_var_uint)
frames = st.one_of(
    st.binary(max_size=300),
    # Valid framing around random payloads: sync, awareness and unknown types.
    st.tuples(st.sampled_from([b"\x00\x00", b"\x00\x01", b"\x00\x02", b"\x01"]), var_uint,
              st.binary(max_size=200)).map(lambda parts: b"".join(parts)),
    # Awareness with random entries (bad JSON, truncated, huge declared lengths).
    st.tuples(var_uint, var_uint, var_uint, var_uint, st.binary(max_size=100)).map(
        lambda parts: b"\x01" + write_var_uint(len(b"".join(parts))) + b"".join(parts)
    ),
    st.binary(max_size=200).map(create_update_message),
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(frames)
def test_decoding_never_raises_anything_but_protocol_error(frame):
    try:
        message = decode_message(frame)
    except ProtocolError:
        return
    if message.type == 1:
        with contextlib.suppress(ProtocolError):
            decode_awareness(message.payload)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames)
def test_a_bad_frame_leaves_the_session_as_it_was(frame):
    doc = Doc()
    doc.get("content", type=Text).insert(0, "kept")
    session = DocumentSession(uuid.uuid4(), doc, NullWriter(), NullLink())
    peer = RecordingPeer()

    async def run() -> None:
        await session.join(peer)
        before = (doc.get_update(), dict(session.feature(Presence).entries))
        try:
            await session.receive(peer, frame)
        except ProtocolError:
            assert (doc.get_update(), session.feature(Presence).entries) == before
            assert session.writer.appended == []

    asyncio.run(run())
    assert str(doc.get("content", type=Text)).count("kept") == 1

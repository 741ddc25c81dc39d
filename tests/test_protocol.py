"""The wire codec: round trips with pycrdt's own encoders, and rejection of malformed frames."""

import pytest
from pycrdt import (
    Doc,
    Text,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    write_var_uint,
)

from documents.realtime.protocol import (
    NOTICE_MESSAGE_TYPE,
    AwarenessEntry,
    MessageType,
    ProtocolError,
    YSyncMessageType,
    awareness_message,
    create_sync_step2_message,
    decode_awareness,
    decode_message,
    encode_awareness,
    feature_message,
    notice_message,
    read_feature_message,
)


def make_update() -> bytes:
    doc = Doc()
    doc.get("content", type=Text).insert(0, "hello")
    return doc.get_update()


def test_sync_step1_round_trip():
    doc = Doc()
    doc.get("content", type=Text).insert(0, "x")
    message = decode_message(create_sync_message(doc))
    assert message.type is MessageType.SYNC
    assert message.sync_type is YSyncMessageType.SYNC_STEP1
    assert message.payload == doc.get_state()


def test_update_and_step2_round_trip():
    update = make_update()
    assert decode_message(create_update_message(update)).payload == update
    step2 = decode_message(create_sync_step2_message(update))
    assert step2.sync_type is YSyncMessageType.SYNC_STEP2
    assert step2.payload == update


def test_awareness_round_trip_with_non_ascii_state():
    entries = [
        AwarenessEntry(7, 3, '{"user":{"name":"Zoë 🙂"}}'.encode()),
        AwarenessEntry(2**32 - 1, 2**53 - 1, b"null"),
    ]
    message = decode_message(awareness_message(entries))
    assert message.type is MessageType.AWARENESS
    assert decode_awareness(message.payload) == entries
    assert decode_awareness(encode_awareness(entries))[1].removed


def test_awareness_from_pycrdt_encoder_decodes():
    payload = encode_awareness([AwarenessEntry(1, 0, b'{"a":1}')])
    assert decode_message(create_awareness_message(payload)).payload == payload


def test_query_awareness():
    assert decode_message(b"\x03").type is MessageType.QUERY_AWARENESS


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"", "ends early"),
        (b"\x09", "unknown message type 9"),
        (b"\x00", "ends early"),
        (b"\x00\x07\x00", "unknown sync message type 7"),
        (b"\x00\x02\x05ab", "declared length 5 exceeds"),
        (b"\x00\x02" + b"\xff" * 9, "truncated or longer"),
        (b"\x00\x02\x80", "truncated or longer"),
        (b"\xff" * 1_000_000, "truncated or longer"),
        (b"\x00\x02" + write_var_uint(2**50) + b"x", "exceeds"),
        (create_update_message(b"\x00\x00") + b"trailing", "unexpected bytes"),
        (b"\x01", "ends early"),
        (b"\x01\x03\x01\x01", "declared length 3"),
    ],
)
def test_malformed_frames_are_rejected(frame, reason):
    with pytest.raises(ProtocolError, match=reason):
        decode_message(frame)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x01\x01\x01\x03{x}",  # not JSON
        b"\x01\x01\x01\x02\xff\xfe",  # not UTF-8
        b"\x02\x01\x01\x02{}",  # declares two entries, holds one
        b"\x01\x01\x01\x09{}",  # state length past the end
        b"\x01\x01\x01\x02{}extra",  # trailing bytes
    ],
)
def test_malformed_awareness_is_rejected(payload):
    with pytest.raises(ProtocolError):
        decode_awareness(payload)


def test_a_features_message_round_trips_and_a_notice_is_one():
    payload = "réaction ✓".encode()
    frame = feature_message(120, payload)
    assert read_feature_message(frame) == payload
    assert read_feature_message(notice_message({"type": "history"})) == b'{"type":"history"}'
    assert notice_message({})[0] == NOTICE_MESSAGE_TYPE


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\x78", "ends early"),
        (b"\x78\x05ab", "declared length 5 exceeds"),
        (feature_message(120, b"ok") + b"!", "unexpected bytes"),
        (b"\x78" + b"\xff" * 9, "truncated or longer"),
    ],
)
def test_a_malformed_features_message_is_rejected(frame, reason):
    with pytest.raises(ProtocolError, match=reason):
        read_feature_message(frame)

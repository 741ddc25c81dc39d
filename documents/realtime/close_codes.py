"""The close codes of the document WebSocket (the README lists them)."""

from enum import IntEnum


class CloseCode(IntEnum):
    """WebSocket close codes; they mirror HTTP statuses."""

    MALFORMED = 4400
    NOT_SIGNED_IN = 4401
    ACCESS_REMOVED = 4403
    NOT_FOUND = 4404
    # Recorded (log, metrics), never received: a socket whose client stopped reading is
    # dropped, since a close frame would wait behind everything already queued for it.
    NOT_READING = 4408
    TOO_LARGE = 4413
    TOO_MANY = 4429
    UNAVAILABLE = 1011
    TRY_AGAIN_LATER = 1013

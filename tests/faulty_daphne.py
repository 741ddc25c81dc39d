"""daphne with a fault injected into the daphne adapter's direct path, for the tests of its
fallbacks: `python -m tests.faulty_daphne <daphne's arguments>`, with the fault named by
ADAPTER_FAULT:
- "open": the first socket's direct path fails while it is made;
- "send": every socket's first direct send fails;
- "asgi": no socket takes a frame directly (each one goes through ASGI, as it would behind
  autobahn's own queue).
"""

import os

from daphne.cli import CommandLineInterface  # first: daphne installs Twisted's reactor

from documents.realtime.daphne_adapter.direct_send import DirectSocket


class InjectedFault(Exception):
    """The fault a test asked for."""


def inject(fault: str) -> None:
    if fault == "open":
        original_init = DirectSocket.__init__
        opened = []

        def init(self, protocol, max_queued_bytes: int) -> None:
            opened.append(protocol)
            if len(opened) == 1:
                raise InjectedFault("the first socket's direct path")
            original_init(self, protocol, max_queued_bytes)

        DirectSocket.__init__ = init
    elif fault == "send":
        original_send = DirectSocket.send

        def send(self, message: bytes) -> bool:
            if not getattr(self, "failed_once", False):
                self.failed_once = True
                raise InjectedFault("a socket's first direct send")
            return original_send(self, message)

        DirectSocket.send = send
    elif fault == "asgi":

        def send(self, message: bytes) -> bool:
            self._admit(len(message))
            return False

        DirectSocket.send = send
    else:
        raise ValueError(f"no such fault: {fault!r}")


if __name__ == "__main__":
    inject(os.environ["ADAPTER_FAULT"])
    CommandLineInterface.entrypoint()

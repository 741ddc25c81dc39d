"""Realistic CRDT updates for the persistence tests."""

import random

from pycrdt import Doc, Text


def text_updates(count: int, seed: int = 1) -> tuple[list[bytes], str]:
    """Updates from random inserts and deletes, and the text they produce."""
    rng = random.Random(seed)
    doc = Doc()
    text = doc.get("content", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(count):
        if i % 4 == 3 and len(text) > 4:
            start = rng.randrange(len(text) - 2)
            del text[start : start + 2]
        else:
            text.insert(rng.randint(0, len(text)), f"[{i}]")
    return updates, str(text)

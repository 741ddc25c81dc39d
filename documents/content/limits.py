"""How much content one write may bring: its size in bytes, its number of nodes, its nesting.

The limits come from `settings.CONTENT` (see project_name/settings.py). They keep every
conversion and every CRDT change in bounded time and memory, and they refuse, with a message that
names the limit, what the schema cannot hold: deeper nesting would otherwise be flattened or, in
Markdown, dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

# The deepest nesting the converters, which recurse once per level, may be configured to accept.
DEPTH_CEILING = 100
# Inline leaves: they hold no nodes, so they add no level of nesting.
_LEAVES = frozenset({"text", "hardBreak"})


class ContentRefused(ValueError):
    """Content that may not be written; the message says which limit it broke."""


class ContentTooLarge(ContentRefused):
    """More bytes or nodes than the limits allow (HTTP 413)."""


class ContentTooDeep(ContentRefused):
    """Nested deeper than the limits allow (HTTP 400)."""


@dataclass(frozen=True)
class ContentLimits:
    """The limits of one write; `current()` reads them from the settings."""

    max_bytes: int = 1024 * 1024
    max_nodes: int = 10_000
    max_depth: int = 48

    def __post_init__(self) -> None:
        assert 1 <= self.max_depth <= DEPTH_CEILING, (
            f"CONTENT['MAX_DEPTH'] must be between 1 and {DEPTH_CEILING}: the converters recurse "
            "once per level"
        )

    @classmethod
    def current(cls) -> ContentLimits:
        configured = getattr(settings, "CONTENT", {})
        default = cls()
        return cls(
            max_bytes=configured.get("MAX_BYTES", default.max_bytes),
            max_nodes=configured.get("MAX_NODES", default.max_nodes),
            max_depth=configured.get("MAX_DEPTH", default.max_depth),
        )

    def check_bytes(self, size: int) -> None:
        if size > self.max_bytes:
            raise ContentTooLarge(
                f"The content is {size} bytes; the limit is {self.max_bytes} bytes."
            )

    def too_deep(self, what: str) -> ContentTooDeep:
        return ContentTooDeep(f"{what} is nested deeper than the limit of {self.max_depth} levels.")

    def check_tree(self, doc: Any) -> None:
        """Refuse a ProseMirror document (as given, before normalising) nested deeper than
        `max_depth` nodes (inline leaves not counted), or with more than `max_nodes` nodes.

        Walks without recursion, so that any input is measured safely.
        """
        nodes = 0
        stack: list[tuple[Any, int]] = [(child, 1) for child in _content(doc)]
        while stack:
            node, depth = stack.pop()
            nodes += 1
            if nodes > self.max_nodes:
                raise ContentTooLarge(
                    f"The content has more than {self.max_nodes} nodes, the limit."
                )
            if node.get("type") in _LEAVES:
                continue
            if depth > self.max_depth:
                raise self.too_deep("The content")
            stack.extend((child, depth + 1) for child in _content(node))


def _content(node: Any) -> list[dict]:
    content = node.get("content") if isinstance(node, dict) else None
    return (
        [child for child in content if isinstance(child, dict)] if isinstance(content, list) else []
    )

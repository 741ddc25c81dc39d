"""Request body parsers: JSON that cannot exhaust the stack of whatever reads it next."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing with 400 a body nested deeper than `API_MAX_JSON_DEPTH`.

    Python's decoder raises RecursionError (a 500) for a body nested about a thousand levels
    deep; shallower but still deep bodies would reach the same error later, in serializers and
    renderers that recurse too. The limit leaves room for any document the content limits
    accept (see documents.content.limits), whose own check then names the content's limit.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.API_MAX_JSON_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if json_depth(data, limit) <= limit:
                return data
        raise ParseError(f"JSON parse error - nested deeper than the limit of {limit} levels.")


def json_depth(value: Any, limit: int) -> int:
    """How deeply objects and arrays nest in `value` (a scalar is 0), counted without recursion
    and no further than one level past `limit`."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, Mapping):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest

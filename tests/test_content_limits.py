"""Content limits: too large is a 413, too deep a 400, each naming its limit; what they allow
converts and writes in time linear in its size."""

import gc
import time

import pytest
from django.test import override_settings
from pycrdt import Doc, XmlFragment
from rest_framework.test import APIClient

from documents.content import (
    ContentLimits,
    ContentTooDeep,
    ContentTooLarge,
    parse,
    render,
    replace_content,
)


def fragment() -> XmlFragment:
    return Doc().get("default", type=XmlFragment)


def quotes(levels: int, text: str = "deep") -> str:
    return "> " * levels + text


# --- The limits, format by format ------------------------------------------------------------

DEEP = {
    # One level past the default limit of 48 in each format (a paragraph is a level too).
    "markdown": quotes(48),
    "html": "<blockquote>" * 48 + "<p>deep</p>",
    "json": '{"type": "doc", "content": ['
    + '{"type": "blockquote", "content": [' * 48
    + '{"type": "paragraph"}'
    + "]}" * 48
    + "]}",
}


@pytest.mark.parametrize("format", DEEP)
def test_content_deeper_than_the_limit_is_refused_naming_it(format):
    with pytest.raises(ContentTooDeep, match="nested deeper than the limit of 48 levels"):
        parse(format, DEEP[format])


@pytest.mark.parametrize(
    "format, source",
    [
        ("markdown", quotes(100_000)),
        ("markdown", "".join("  " * i + "- item\n" for i in range(500))),
        ("html", "<div><b><i>" * 50_000 + "deep"),
        ("html", "<ul><li>" * 30_000),
        ("json", "[" * 100_000 + "]" * 100_000),
    ],
)
def test_hostile_nesting_is_refused_quickly(format, source):
    started = time.monotonic()
    with pytest.raises(ContentTooDeep):
        parse(format, source)
    assert time.monotonic() - started < 5


def test_markdown_deeper_than_markdown_its_own_limit_keeps_its_text():
    # markdown-it dropped what lay deeper than 20 levels without a word.
    assert render_text(parse("markdown", quotes(25, "kept"))) == "kept"
    assert render_text(parse("markdown", quotes(47, "kept"))) == "kept"


def test_html_inside_markdown_counts_the_levels_around_it():
    with pytest.raises(ContentTooDeep):
        parse("markdown", "> " * 40 + "<blockquote>" * 10 + "x")
    assert render_text(parse("markdown", "> " * 40 + "<blockquote>" * 7 + "x")) == "x"


@override_settings(CONTENT={"MAX_BYTES": 100, "MAX_NODES": 10, "MAX_DEPTH": 3})
def test_limits_come_from_the_settings():
    assert ContentLimits.current() == ContentLimits(max_bytes=100, max_nodes=10, max_depth=3)
    with pytest.raises(ContentTooLarge, match="101 bytes; the limit is 100 bytes"):
        parse("text", "x" * 101)
    with pytest.raises(ContentTooLarge, match="101 bytes"):
        parse("text", "é" * 50 + "x")  # UTF-8 bytes, not characters
    with pytest.raises(ContentTooLarge, match="more than 10 nodes"):
        parse("text", "a\n" * 6)
    with pytest.raises(ContentTooLarge, match="bytes"):
        parse("json", {"type": "doc", "content": [{"type": "paragraph", "attrs": {"x": "y" * 99}}]})
    with pytest.raises(ContentTooDeep, match="limit of 3 levels"):
        parse("markdown", "> > > x")
    assert render_text(parse("markdown", "> > x")) == "x"


def test_a_depth_limit_beyond_what_the_converters_can_walk_is_a_configuration_error():
    with pytest.raises(AssertionError, match="MAX_DEPTH"):
        ContentLimits(max_depth=1_000)


def render_text(doc) -> str:
    target = fragment()
    replace_content(target, doc)
    return render(target, "text")


# --- Time linear in the size -------------------------------------------------------------------

# The inputs, near the size the default limits allow (10,000 nodes): each took from
# several seconds to minutes. Four times the input must cost about four times the time (sixteen
# when quadratic, as they were). Each shape takes the number of nodes and a word to repeat.
SHAPES = {
    "emphasis runs": ("markdown", lambda n, word: f"*{word}" * n),
    "short lines": ("text", lambda n, word: f"{word}\n" * (n // 2)),
    "html paragraphs": ("html", lambda n, word: f"<p>{word}</p>" * (n // 2)),
    "list items": ("markdown", lambda n, word: f"- {word}\n" * (n // 4)),
    # A row is four nodes: the row, its cell, the cell's paragraph and its text.
    "pipe table rows": ("markdown", lambda n, word: "| h |\n| - |\n" + f"| {word} |\n" * (n // 4)),
    "html table rows": ("html", lambda n, word: f"<table>{f'<tr><td>{word}</td></tr>' * (n // 4)}"),
    "task items": ("markdown", lambda n, word: f"- [x] {word}\n" * (n // 4)),
}


def convert_and_write(format: str, make, nodes: int) -> float:
    """CPU seconds of this thread to convert, write, rewrite and render; the cyclic collector
    is off meanwhile, as its passes grow with the heap and made the ratio noisy."""
    gc.collect()
    gc.disable()
    try:
        started = time.thread_time()
        target = fragment()
        replace_content(target, parse(format, make(nodes, "a")))
        replace_content(target, parse(format, make(nodes, "b")))  # an edit of all of it
        render(target, format)
        return time.thread_time() - started
    finally:
        gc.enable()


@pytest.mark.parametrize("shape", SHAPES)
def test_conversion_and_writing_scale_linearly(shape):
    format, make = SHAPES[shape]
    convert_and_write(format, make, 1_000)  # warm up
    small = min(convert_and_write(format, make, 2_250) for _ in range(3))
    large = min(convert_and_write(format, make, 9_000) for _ in range(3))
    assert large < 8 * small, f"{shape}: {small:.2f} s, then {large:.2f} s for four times as much"
    assert large < 10


def test_a_change_in_the_middle_of_many_repeated_paragraphs_is_quick():
    # difflib compares every repeated line with every other: the middle is paired instead.
    target = fragment()
    replace_content(target, parse("text", "same\n" * 4_900))
    started = time.perf_counter()
    replace_content(target, parse("text", "same\nother\n" * 2_450))
    assert time.perf_counter() - started < 5
    assert render(target, "text") == "same\nother\n" * 2_450


# --- Through the API -----------------------------------------------------------------------------


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "format, content, status, message",
    [
        ("text", "x" * (1024 * 1024 + 1), 413, "1048577 bytes; the limit is 1048576 bytes"),
        ("text", "line\n" * 50_000, 413, "more than 10000 nodes, the limit"),
        ("markdown", "*a" * 50_000, 413, "more than 10000 nodes, the limit"),
        ("html", "<p>para</p>" * 40_000, 413, "more than 10000 nodes, the limit"),
        ("markdown", quotes(48), 400, "The Markdown is nested deeper than the limit of 48"),
        ("html", "<b>" * 100_000, 400, "The HTML is nested deeper than the limit of 48"),
    ],
)
def test_the_api_refuses_content_over_the_limits(
    api, user, make_document, format, content, status, message
):
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    assert api.put(url, {"format": "text", "content": "kept"}, format="json").status_code == 200

    started = time.monotonic()
    response = api.put(url, {"format": format, "content": content}, format="json")

    assert time.monotonic() - started < 5
    assert response.status_code == status
    body = response.json()
    assert message in (body["detail"] if status == 413 else body["content"][0])
    assert api.get(f"{url}?format=text").json()["content"] == "kept"

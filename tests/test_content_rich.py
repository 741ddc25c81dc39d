"""documents.content with the nodes and marks beyond StarterKit (tables, images, task lists,
underline, text colour, highlight, subscript, superscript, alignment): read from the CRDT as
Tiptap writes them, through every format both ways, safely."""

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, XmlFragment

from documents.content import (
    ContentTooDeep,
    ContentTooLarge,
    fragment_to_prosemirror,
    html_to_prosemirror,
    markdown_to_prosemirror,
    parse,
    prosemirror_to_html,
    prosemirror_to_markdown,
    prosemirror_to_text,
    render,
    replace_content,
)
from tests.test_content import (
    _CHARS,
    FUZZ,
    E,
    T,
    doc_of,
    empty_fragment,
    exchange,
    fragment_of,
    paragraph,
    replica,
    text,
)
from tests.tiptap_interop import tiptap_round_trip

SPANS = {"colspan": 1, "rowspan": 1}


def cell(*content, header=False, **attrs):
    kind = "tableHeader" if header else "tableCell"
    return {"type": kind, "attrs": SPANS | attrs, "content": list(content) or [paragraph()]}


def row(*cells):
    return {"type": "tableRow", "content": list(cells)}


def table(*rows):
    return {"type": "table", "content": list(rows)}


def task(checked, *content):
    return {"type": "taskItem", "attrs": {"checked": checked}, "content": list(content)}


def tasks(*items):
    return {"type": "taskList", "content": list(items)}


def image(**attrs):
    return {"type": "image", "attrs": attrs}


def aligned(align, *content, kind="paragraph", **attrs):
    node = {"type": kind, "attrs": {**attrs, "textAlign": align}}
    return node | ({"content": list(content)} if content else {})


UNDERLINE, SUB, SUP = ({"type": kind} for kind in ("underline", "subscript", "superscript"))
RED = {"type": "textStyle", "attrs": {"color": "#d93025"}}
HIGHLIGHT = {"type": "highlight", "attrs": {"color": None}}  # as Tiptap stores it
YELLOW = {"type": "highlight", "attrs": {"color": "rgb(255, 240, 0)"}}
PICTURE = "https://example.com/p.png"
ATTACHMENT = "/api/documents/5a1c8e52-7d0e-4e7c-9a55-0b3b7f1e2a10/attachments/9/cat.png"

# name: (the CRDT as y-tiptap writes it, JSON, Markdown, HTML, text)
CASES = {
    "table with a header row": (
        E(
            "table",
            E(
                "tableRow",
                E("tableHeader", E("paragraph", T("Name")), colspan=1, rowspan=1),
                E("tableHeader", E("paragraph", T("Count")), colspan=1, rowspan=1, align="right"),
            ),
            E(
                "tableRow",
                E("tableCell", E("paragraph", T(("a|b", {"bold": {}}))), colspan=1, rowspan=1),
                E(
                    "tableCell",
                    E("paragraph", T("1"), E("hardBreak"), T("2")),
                    colspan=1,
                    rowspan=1,
                    align="right",
                ),
            ),
        ),
        table(
            row(
                cell(paragraph(text("Name")), header=True),
                cell(paragraph(text("Count")), header=True, align="right"),
            ),
            row(
                cell(paragraph(text("a|b", {"type": "bold"}))),
                cell(paragraph(text("1"), {"type": "hardBreak"}, text("2")), align="right"),
            ),
        ),
        "| Name | Count |\n| --- | --: |\n| **a\\|b** | 1<br>2 |\n",
        '<table><tbody><tr><th><p>Name</p></th><th style="text-align: right"><p>Count</p></th>'
        '</tr><tr><td><p><strong>a|b</strong></p></td><td style="text-align: right"><p>1<br>2'
        "</p></td></tr></tbody></table>",
        "Name\tCount\na|b\t1 2",
    ),
    "table with spans and widths": (
        E(
            "table",
            E(
                "tableRow",
                E("tableCell", E("paragraph", T("wide")), colspan=2, rowspan=1, colwidth=[120, 80]),
                E("tableCell", E("paragraph", T("tall")), colspan=1, rowspan=2),
            ),
            E(
                "tableRow",
                E("tableCell", E("paragraph", T("x")), colspan=1, rowspan=1),
                E(
                    "tableCell",
                    E("bulletList", E("listItem", E("paragraph", T("y")))),
                    colspan=1,
                    rowspan=1,
                ),
            ),
        ),
        table(
            row(
                cell(paragraph(text("wide")), colspan=2, colwidth=[120, 80]),
                cell(paragraph(text("tall")), rowspan=2),
            ),
            row(
                cell(paragraph(text("x"))),
                cell(
                    {
                        "type": "bulletList",
                        "content": [{"type": "listItem", "content": [paragraph(text("y"))]}],
                    }
                ),
            ),
        ),
        '<table><tbody><tr><td colspan="2" colwidth="120,80"><p>wide</p></td><td rowspan="2">'
        "<p>tall</p></td></tr><tr><td><p>x</p></td><td><ul><li><p>y</p></li></ul></td></tr>"
        "</tbody></table>\n",
        '<table><tbody><tr><td colspan="2" colwidth="120,80"><p>wide</p></td><td rowspan="2">'
        "<p>tall</p></td></tr><tr><td><p>x</p></td><td><ul><li><p>y</p></li></ul></td></tr>"
        "</tbody></table>",
        "wide\ttall\nx\t- y",
    ),
    "image": (
        E("image", src=PICTURE, alt="A [cat]", title="Cat"),
        image(src=PICTURE, alt="A [cat]", title="Cat"),
        f'![A \\[cat\\]]({PICTURE} "Cat")\n',
        f'<img src="{PICTURE}" alt="A [cat]" title="Cat">',
        "A [cat]",
    ),
    "attachment image with a size": (
        E("image", src=ATTACHMENT, alt="cat", width=320, height=200),
        image(src=ATTACHMENT, alt="cat", width=320, height=200),
        f'<img src="{ATTACHMENT}" alt="cat" width="320" height="200">\n',
        f'<img src="{ATTACHMENT}" alt="cat" width="320" height="200">',
        "cat",
    ),
    "task list": (
        E(
            "taskList",
            E("taskItem", E("paragraph", T("done")), checked=True),
            E(
                "taskItem",
                E("paragraph", T("to do")),
                E("taskList", E("taskItem", E("paragraph", T("nested")), checked=False)),
                checked=False,
            ),
        ),
        tasks(
            task(True, paragraph(text("done"))),
            task(False, paragraph(text("to do")), tasks(task(False, paragraph(text("nested"))))),
        ),
        "- [x] done\n- [ ] to do\n  - [ ] nested\n",
        '<ul data-type="taskList"><li data-type="taskItem" data-checked="true"><p>done</p></li>'
        '<li data-type="taskItem" data-checked="false"><p>to do</p><ul data-type="taskList">'
        '<li data-type="taskItem" data-checked="false"><p>nested</p></li></ul></li></ul>',
        "[x] done\n[ ] to do\n    [ ] nested",
    ),
    "marks": (
        E(
            "paragraph",
            T(
                ("under", {"underline": {}}),
                " ",
                ("red", {"textStyle": {"color": "#d93025"}}),
                " ",
                ("marked", {"highlight": {"color": None}}),
                " ",
                ("yellow", {"highlight": {"color": "rgb(255, 240, 0)"}}),
                " H",
                ("2", {"subscript": {}}),
                "O x",
                ("2", {"superscript": {}}),
                " ",
                ("all", {"bold": {}, "underline": {}, "textStyle": {"color": "#d93025"}}),
            ),
        ),
        paragraph(
            text("under", UNDERLINE),
            text(" "),
            text("red", RED),
            text(" "),
            text("marked", HIGHLIGHT),
            text(" "),
            text("yellow", YELLOW),
            text(" H"),
            text("2", SUB),
            text("O x"),
            text("2", SUP),
            text(" "),
            text("all", RED, {"type": "bold"}, UNDERLINE),
        ),
        '<u>under</u> <span style="color: #d93025">red</span> <mark>marked</mark> '
        '<mark data-color="rgb(255, 240, 0)" style="background-color: rgb(255, 240, 0)">yellow'
        '</mark> H<sub>2</sub>O x<sup>2</sup> <span style="color: #d93025">**<u>all</u>**</span>\n',
        '<p><u>under</u> <span style="color: #d93025">red</span> <mark>marked</mark> '
        '<mark data-color="rgb(255, 240, 0)" style="background-color: rgb(255, 240, 0)">yellow'
        '</mark> H<sub>2</sub>O x<sup>2</sup> <span style="color: #d93025"><strong><u>all</u>'
        "</strong></span></p>",
        "under red marked yellow H2O x2 all",
    ),
    "aligned paragraph": (
        E("paragraph", T("centred"), textAlign="center"),
        aligned("center", text("centred")),
        '<p style="text-align: center">centred</p>\n',
        '<p style="text-align: center">centred</p>',
        "centred",
    ),
    "aligned heading": (
        E("heading", T("Right"), level=2, textAlign="right"),
        aligned("right", text("Right"), kind="heading", level=2),
        '<h2 style="text-align: right">Right</h2>\n',
        '<h2 style="text-align: right">Right</h2>',
        "Right",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_new_node_and_mark_through_every_format(name):
    spec, json_block, markdown, html, plain = CASES[name]
    fragment = fragment_of(spec)

    doc = fragment_to_prosemirror(fragment)

    assert doc == doc_of(json_block)
    assert render(fragment, "json") == doc
    assert render(fragment, "markdown") == markdown
    assert render(fragment, "html") == html
    assert render(fragment, "text") == plain


@pytest.mark.parametrize("name", CASES)
def test_each_new_node_and_mark_reads_back_from_markdown_html_and_json(name):
    _, json_block, markdown, html, _ = CASES[name]
    assert markdown_to_prosemirror(markdown) == doc_of(json_block)
    assert html_to_prosemirror(html) == doc_of(json_block)
    assert parse("json", json.dumps(doc_of(json_block))) == doc_of(json_block)


@pytest.mark.parametrize("format", ["json", "markdown", "html"])
def test_writing_everything_then_reading_it_is_stable_and_a_rewrite_changes_nothing(format):
    source = fragment_of(*(spec for spec, *_ in CASES.values()))
    exported = render(source, format)
    target = empty_fragment()
    replace_content(target, parse(format, exported))

    assert render(target, "json") == render(source, "json")
    assert render(target, format) == exported
    state = target.doc.get_state()
    replace_content(target, parse(format, exported))
    assert target.doc.get_update(state) == Doc().get_update()  # nothing at all


def test_tiptap_shaped_content_survives_a_rewrite_that_changes_one_cell():
    fragment = fragment_of(CASES["table with spans and widths"][0], CASES["task list"][0])
    peer = replica(fragment)
    doc = render(fragment, "json")
    doc["content"][0]["content"][1]["content"][0]["content"][0]["content"][0]["text"] = "changed"
    state = fragment.doc.get_state()

    replace_content(fragment, doc)

    assert fragment.doc.get_update(state).__len__() < 80  # the word, not the table
    exchange(fragment, peer)
    assert render(peer, "json") == doc


def test_markdown_task_boxes_stay_text_outside_a_bullet_list_of_tasks():
    doc = markdown_to_prosemirror("- [x] done\n- plain\n\n1. [ ] numbered\n\n- [ ]\n")
    item = lambda content: {"type": "listItem", "content": [paragraph(text(content))]}  # noqa: E731
    assert doc == doc_of(
        {"type": "bulletList", "content": [item("[x] done"), item("plain")]},
        {"type": "orderedList", "attrs": {"start": 1}, "content": [item("[ ] numbered")]},
        {"type": "bulletList", "content": [item("[ ]")]},
    )
    assert markdown_to_prosemirror(prosemirror_to_markdown(doc)) == doc
    # An empty task item has no Markdown form ("- [ ]" alone is text): the list is HTML.
    empty = doc_of(tasks(task(True, paragraph())))
    assert prosemirror_to_markdown(empty).startswith('<ul data-type="taskList">')
    assert markdown_to_prosemirror(prosemirror_to_markdown(empty)) == empty


def test_markdown_tables_that_a_pipe_table_cannot_hold_are_html():
    headless = doc_of(table(row(cell(paragraph(text("a"))), cell(paragraph(text("b"))))))
    aligned_inside = doc_of(
        table(row(cell(aligned("center", text("h")), header=True)), row(cell(paragraph(text("b")))))
    )
    for doc in (headless, aligned_inside):
        markdown = prosemirror_to_markdown(doc)
        assert markdown.startswith("<table>")
        assert markdown_to_prosemirror(markdown) == doc
    # Column widths are all a pipe table leaves out.
    sized = doc_of(table(row(cell(paragraph(text("h")), header=True, colwidth=[90]))))
    assert prosemirror_to_markdown(sized) == "| h |\n| --- |\n"


def test_tiptap_get_html_reads_as_the_editor_wrote_it():
    # editor.getHTML() of a task item, a resized table (with its colgroup) and an image.
    html = (
        '<ul data-type="taskList"><li data-checked="true" data-type="taskItem"><label>'
        '<input type="checkbox" checked="checked"><span></span></label><div><p>done</p></div>'
        '</li></ul><table style="min-width: 100px"><colgroup><col style="width: 100px"></colgroup>'
        '<tbody><tr><th colspan="1" rowspan="1" colwidth="100"><p>h</p></th></tr><tr>'
        '<td colspan="1" rowspan="1"><p>c</p></td></tr></tbody></table>'
        f'<img src="{PICTURE}" alt="p" width="40"><p data-text-align="center">centred</p>'
    )
    assert html_to_prosemirror(html) == doc_of(
        tasks(task(True, paragraph(text("done")))),
        table(
            row(cell(paragraph(text("h")), header=True, colwidth=[100])),
            row(cell(paragraph(text("c")))),
        ),
        image(src=PICTURE, alt="p", width=40),
        aligned("center", text("centred")),
    )


def test_images_inside_text_become_blocks_of_their_own():
    doc = html_to_prosemirror(
        f'<p>before <img src="{PICTURE}"> after</p><h1><img src="{PICTURE}"></h1>'
    )
    assert doc == doc_of(
        paragraph(text("before")), image(src=PICTURE), paragraph(text("after")), image(src=PICTURE)
    )
    assert markdown_to_prosemirror(f"a ![x]({PICTURE}) b") == doc_of(
        paragraph(text("a")), image(src=PICTURE, alt="x"), paragraph(text("b"))
    )


def test_text_keeps_list_markers_and_reads_them_back_as_text():
    doc = doc_of(
        {
            "type": "orderedList",
            "attrs": {"start": 9},
            "content": [
                {
                    "type": "listItem",
                    "content": [
                        paragraph(text("nine")),
                        paragraph(text("more")),
                        {
                            "type": "bulletList",
                            "content": [{"type": "listItem", "content": [paragraph(text("dot"))]}],
                        },
                    ],
                },
                {"type": "listItem", "content": [paragraph(text("ten"))]},
            ],
        }
    )
    plain = prosemirror_to_text(doc)
    assert plain == "9. nine\n   more\n   - dot\n10. ten"
    assert prosemirror_to_text(parse("text", plain)) == plain


# --- Hostile input ----------------------------------------------------------------------------


def test_hostile_html_loses_scripts_handlers_styles_and_unsafe_urls():
    doc = html_to_prosemirror(
        '<p onclick="alert(1)" style="text-align: center; background: url(javascript:x)">'
        '<span style="color: red; position: fixed">a</span>'
        '<span style="color: expression(alert(1))">b</span>'
        '<mark style="background-color: url(x)" onmouseover="alert(1)">c</mark>'
        '<a href="javascript:alert(1)">d</a><script>alert(1)</script><style>p{}</style></p>'
        '<img src="javascript:alert(1)" alt="js">'
        '<img src="data:image/png;base64,AAAA" alt="data">'
        '<img src="//evil.example/x.png" alt="other">'
        '<img src="/api/documents/../../admin/" alt="up">'
        '<img src="x.png" onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
        '<table><tr><td style="text-align: center; color: red" onclick="x">t</td></tr></table>'
    )
    assert doc == doc_of(
        aligned("center", text("ab"), text("c", HIGHLIGHT), text("d")),
        paragraph(text("js")),
        paragraph(text("data")),
        paragraph(text("other")),
        paragraph(text("up")),
        table(row(cell(paragraph(text("t")), align="center"))),
    )
    html = prosemirror_to_html(doc)
    for word in ("script", "javascript", "onclick", "onerror", "data:", "expression", "iframe"):
        assert word not in html


def test_hostile_markdown_loses_scripts_handlers_and_unsafe_urls():
    doc = markdown_to_prosemirror(
        "![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA) "
        '<img src="javascript:alert(1)" onerror="alert(1)" alt="z"> '
        '<span style="color: #f00" onclick="alert(1)">r</span> <span style="color:url(x)">u</span>'
        "\n\n"
        "| h |\n| - |\n| <script>alert(1)</script>[l](javascript:alert(1)) |\n\n"
        '<table><tr><td onclick="alert(1)"><script>alert(1)</script>ok</td></tr></table>\n'
    )
    # No image nor link: the unsafe ones stay text, as CommonMark leaves them.
    assert doc == doc_of(
        paragraph(
            text("![x](javascript:alert(1)) y z "),
            text("r", {"type": "textStyle", "attrs": {"color": "#f00"}}),
            text(" u"),
        ),
        table(
            row(cell(paragraph(text("h")), header=True)),
            row(cell(paragraph(text("[l](javascript:alert(1))")))),
        ),
        table(row(cell(paragraph(text("ok"))))),
    )
    html = prosemirror_to_html(doc)
    assert "<script" not in html and "onclick" not in html and "<a " not in html


@pytest.mark.parametrize(
    "source",
    [
        lambda n: "<u>a" * n,
        lambda n: "<b>a" * n,
        lambda n: "<span style='color: #f00'>a" * (n // 4),
        lambda n: "<u>" * n + "</u>" * n,
    ],
    ids=["u", "b", "span", "nested"],
)
def test_inline_html_in_markdown_opened_without_end_is_read_quickly(source):
    # Each tag opened a mark again, and every text copied them all: quadratic. Four times the
    # tags must cost about four times the CPU, not sixteen (a ratio: machines differ in speed).
    def cost(tags: int) -> float:
        started = time.thread_time()
        doc = parse("markdown", source(tags))
        check = doc["content"][0].get("content", [{}])[-1].get("marks", [])
        assert len(check) <= 1
        return time.thread_time() - started

    small, large = cost(4_000), cost(16_000)
    assert large < 8 * small, f"{small:.2f} s, then {large:.2f} s for four times as much"


@pytest.mark.parametrize(
    "colour, kept",
    [
        ("#abc", True),
        ("#A0b1C2", True),
        ("rgb(0, 128, 255)", True),
        ("rgb(256, 0, 0)", False),
        ("#abcd", False),
        ("red", False),
        ("rgba(0, 0, 0, 0.5)", False),
        ("#fff; background: url(x)", False),
        ("expression(alert(1))", False),
    ],
)
def test_only_colours_of_the_three_forms_are_kept(colour, kept):
    marks = [{"type": "textStyle", "attrs": {"color": colour}}]
    doc = parse("json", doc_of(paragraph(text("x", *marks))))
    assert (doc == doc_of(paragraph(text("x", *marks)))) is kept
    highlighted = parse(
        "json", doc_of(paragraph(text("x", {"type": "highlight", "attrs": {"color": colour}})))
    )
    expected = YELLOW | {"attrs": {"color": colour}} if kept else HIGHLIGHT
    assert highlighted == doc_of(paragraph(text("x", expected)))


def refusal_time(source: str) -> float:
    started = time.thread_time()
    with pytest.raises(ContentTooLarge, match="more than 10000 nodes"):
        parse("markdown", source)
    return time.thread_time() - started


def test_a_long_task_list_is_refused_as_quickly_as_a_long_bullet_list():
    # mdit-py-plugins' tasklists looked for each item's list from the item back: 32,000 tasks
    # (a quarter of what a megabyte holds) took it half a minute.
    bullets = refusal_time("- [ ] a\n".replace("[ ] ", "bc  ") * 32_000)
    tasks = refusal_time("- [ ] a\n" * 32_000)
    assert tasks < 3 * bullets + 1, f"{tasks:.2f} s, against {bullets:.2f} s for bullets"


def test_a_table_of_ten_thousand_cells_is_over_the_node_limit():
    cells = "".join("<td>x</td>" for _ in range(100))
    with pytest.raises(ContentTooLarge, match="more than 10000 nodes"):
        parse("html", "<table>" + f"<tr>{cells}</tr>" * 100 + "</table>")
    pipe = "| h |\n| - |\n" + "| x |\n" * 10_000
    with pytest.raises(ContentTooLarge, match="more than 10000 nodes"):
        parse("markdown", pipe)


@pytest.mark.parametrize("format", ["html", "json", "markdown"])
def test_deeply_nested_tables_are_over_the_depth_limit(format):
    if format == "json":
        inner = paragraph(text("deep"))
        for _ in range(17):  # three levels each: table, row, cell
            inner = table(row(cell(inner)))
        source = json.dumps(doc_of(inner))
    else:
        source = "<table><tr><td>" * 17 + "deep"
    with pytest.raises(ContentTooDeep, match="nested deeper than the limit of 48 levels"):
        parse(format, source)


def test_tables_too_deep_in_the_crdt_are_flattened_not_lost():
    spec = E("paragraph", T("deep"))
    for _ in range(40):
        spec = E("table", E("tableRow", E("tableCell", spec, colspan=1, rowspan=1)))
    fragment = fragment_of(spec)
    for format in ("text", "markdown", "html"):
        assert "deep" in render(fragment, format)


# --- The real editor's schema and y-tiptap, with the extensions the editor loads ----------------


def test_the_editor_with_its_extensions_reads_what_we_write_and_we_read_what_it_writes():
    doc = doc_of(*(json_block for _, json_block, *_ in CASES.values()))
    fragment = empty_fragment()
    replace_content(fragment, doc)

    answer = tiptap_round_trip(fragment.doc.get_update(), doc, "editor")

    assert answer["unchanged"]  # y-tiptap deleted nothing
    assert parse("json", answer["json"]) == doc  # getJSON() adds the null attrs we leave out
    theirs = Doc()
    theirs.apply_update(answer["update"])
    assert fragment_to_prosemirror(theirs.get("default", type=XmlFragment)) == doc


# --- Random rich documents --------------------------------------------------------------------

_RICH_MARKS = st.lists(
    st.sampled_from([UNDERLINE, SUB, SUP, RED, HIGHLIGHT, YELLOW, {"type": "bold"}]), max_size=3
)
# Words with single spaces between them: blocks Markdown writes as HTML collapse whitespace.
_WORDS = st.lists(
    st.text(_CHARS.filter(lambda char: not char.isspace()), min_size=1, max_size=5),
    min_size=1,
    max_size=3,
).map(" ".join)
_RICH_TEXT = st.builds(lambda value, marks: text(value, *marks), _WORDS, _RICH_MARKS)
_RICH_PARAGRAPH = st.builds(
    lambda content, align: aligned(align, *content) if align else paragraph(*content),
    st.lists(_RICH_TEXT, min_size=1, max_size=3),
    st.sampled_from([None, None, "center", "justify"]),
)
_IMAGE = st.builds(
    lambda alt, width: image(src=PICTURE, alt=alt, **({"width": width} if width else {})),
    _WORDS,
    st.sampled_from([None, 100]),
)


def _rich_containers(children):
    cells = st.builds(
        lambda header, blocks, align: cell(*blocks, header=header, **align),
        st.booleans(),
        st.lists(children, min_size=1, max_size=2),
        st.sampled_from([{}, {"align": "center"}, {"colspan": 2}]),
    )
    return st.builds(
        lambda rows: table(*(row(*cells) for cells in rows)),
        st.lists(st.lists(cells, min_size=1, max_size=3), min_size=1, max_size=3),
    ) | st.builds(
        lambda items: tasks(*items),
        st.lists(
            st.builds(
                lambda checked, first, rest: task(checked, first, *rest),
                st.booleans(),
                _RICH_PARAGRAPH,
                st.lists(children, max_size=2),
            ),
            min_size=1,
            max_size=3,
        ),
    )


RICH_DOCS = st.builds(
    lambda blocks: parse("json", doc_of(*blocks)),
    st.lists(
        st.recursive(_RICH_PARAGRAPH | _IMAGE, _rich_containers, max_leaves=6),
        min_size=1,
        max_size=4,
    ),
)


def blocks(node):
    """The nodes other than text, with their attributes, all the way down."""
    content = [blocks(child) for child in node.get("content", []) if child["type"] != "text"]
    return (node["type"], node.get("attrs"), content)


@FUZZ
@given(RICH_DOCS)
def test_any_rich_document_survives_markdown_html_and_the_crdt(doc):
    markdown = prosemirror_to_markdown(doc)
    assert markdown_to_prosemirror(markdown) == doc, markdown
    # HTML collapses whitespace: its blocks, attributes and words come back.
    html = prosemirror_to_html(doc)
    again = html_to_prosemirror(html)
    assert blocks(again) == blocks(doc), html
    assert prosemirror_to_text(again).split() == prosemirror_to_text(doc).split()
    fragment = empty_fragment()
    replace_content(fragment, doc)
    assert fragment_to_prosemirror(fragment) == doc

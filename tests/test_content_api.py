"""The REST API with the editor's rich content (tables, images, task lists, the new marks):
written as Tiptap writes it, read back complete in every format, PUT in every format stably,
hostile input cleaned, limits kept, versions restored whole."""

import pytest
from pycrdt import XmlFragment
from rest_framework.test import APIClient

from documents import live
from documents.content import parse, replace_content
from documents.realtime.protocol import EMPTY_UPDATE
from tests.test_content import doc_of, paragraph, put, text
from tests.test_content_rich import CASES, cell, row, table

pytestmark = pytest.mark.django_db

SPECS = [spec for spec, *_ in CASES.values()]
DOC = doc_of(*(json_block for _, json_block, *_ in CASES.values()))
EXPECTED = {
    "json": DOC,
    "markdown": "\n".join(markdown for _, _, markdown, _, _ in CASES.values()),
    "html": "".join(html for _, _, _, html, _ in CASES.values()),
    "text": "\n".join(plain for *_, plain in CASES.values()),
}


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def document(user, make_document):
    return make_document(user)


def url(document) -> str:
    return f"/api/documents/{document.id}/content"


def write_like_tiptap(document) -> None:
    """As a pycrdt client writes the content the way y-tiptap does (see tests/test_content.py)."""

    def change(doc) -> None:
        fragment = doc.get("default", type=XmlFragment)
        for spec in SPECS:
            put(fragment, spec)

    live.change_document(document.id, change)


def get(api, document, format: str):
    response = api.get(f"{url(document)}?format={format}")
    assert response.status_code == 200, response.content
    return response.json()["content"]


@pytest.mark.parametrize("format", EXPECTED)
def test_content_written_as_tiptap_writes_it_reads_back_complete(api, document, format):
    write_like_tiptap(document)
    assert get(api, document, format) == EXPECTED[format]


@pytest.mark.parametrize("format", ["json", "markdown", "html"])
def test_a_put_of_each_format_reads_back_the_same_and_again_changes_nothing(api, document, format):
    response = api.put(url(document), {"format": format, "content": EXPECTED[format]}, "json")
    assert response.status_code == 200, response.content
    assert get(api, document, format) == EXPECTED[format]
    assert get(api, document, "json") == DOC

    # The write a PUT makes (see ContentView), again: no change at all.
    new = parse(format, EXPECTED[format])
    update = live.change_document(
        document.id, lambda doc: replace_content(doc.get("default", type=XmlFragment), new)
    )
    assert update == EMPTY_UPDATE
    again = api.put(url(document), {"format": format, "content": EXPECTED[format]}, "json")
    assert again.status_code == 200
    assert get(api, document, "json") == DOC


def test_a_put_of_text_keeps_markers_as_text(api, document):
    write_like_tiptap(document)
    plain = get(api, document, "text")
    assert api.put(url(document), {"format": "text", "content": plain}, "json").status_code == 200
    assert get(api, document, "text") == plain


def test_a_put_over_tiptap_content_changes_only_what_differs(api, document):
    write_like_tiptap(document)
    changed = get(api, document, "json")
    changed["content"][0]["content"][1]["content"][0]["content"][0]["content"][0]["text"] = "A|B"
    response = api.put(url(document), {"format": "json", "content": changed}, "json")
    assert response.status_code == 200
    assert get(api, document, "json") == changed


@pytest.mark.parametrize(
    "format, hostile",
    [
        (
            "html",
            '<p onclick="alert(1)">a<script>alert(1)</script><img src="javascript:alert(1)" '
            'onerror="alert(1)"><a href="javascript:alert(1)">b</a>'
            '<span style="color: #f00; background: url(javascript:x)">c</span></p>'
            '<table><tr><td style="position: fixed" onmouseover="alert(1)">d</td></tr></table>',
        ),
        (
            "markdown",
            'a<script>alert(1)</script><img src="javascript:alert(1)" onerror="alert(1)">'
            '<a href="javascript:alert(1)">b</a>'
            '<span style="color: #f00; background: url(javascript:x)">c</span>\n\n'
            '<table><tr><td style="position: fixed" onmouseover="alert(1)">d</td></tr></table>\n',
        ),
    ],
)
def test_hostile_html_and_markdown_are_cleaned(api, document, format, hostile):
    response = api.put(url(document), {"format": format, "content": hostile}, "json")
    assert response.status_code == 200, response.content
    assert get(api, document, "json") == doc_of(
        paragraph(text("ab"), text("c", {"type": "textStyle", "attrs": {"color": "#f00"}})),
        table(row(cell(paragraph(text("d"))))),
    )
    exported = get(api, document, "html") + get(api, document, "markdown")
    for word in ("script", "javascript", "onclick", "onerror", "onmouseover", "url(", "fixed"):
        assert word not in exported


def test_a_table_of_ten_thousand_cells_is_a_413_and_nested_tables_a_400(api, document):
    assert api.put(url(document), {"format": "text", "content": "kept"}, "json").status_code == 200
    cells = "<td>x</td>" * 100
    huge = api.put(
        url(document),
        {"format": "html", "content": f"<table>{f'<tr>{cells}</tr>' * 100}</table>"},
        "json",
    )
    assert huge.status_code == 413
    assert "more than 10000 nodes" in huge.json()["detail"]

    inner = paragraph(text("deep"))
    for _ in range(17):
        inner = table(row(cell(inner)))
    deep = api.put(url(document), {"format": "json", "content": doc_of(inner)}, "json")
    assert deep.status_code == 400
    assert "nested deeper than the limit of 48 levels" in str(deep.json())
    deep_html = "<table><tr><td>" * 17 + "deep"
    assert (
        api.put(url(document), {"format": "html", "content": deep_html}, "json").status_code == 400
    )
    assert get(api, document, "text") == "kept"


def test_a_version_restore_keeps_tables_images_and_task_items(api, document):
    write_like_tiptap(document)
    versions = f"/api/documents/{document.id}/versions/"
    created = api.post(versions, {"name": "rich"}, format="json")
    assert created.status_code == 201, created.content
    version = created.json()["id"]
    assert api.get(f"{versions}{version}/?format=html").json()["content"] == EXPECTED["html"]

    assert api.put(url(document), {"format": "text", "content": "gone"}, "json").status_code == 200
    restored = api.post(f"{versions}{version}/restore/")

    assert restored.status_code == 200, restored.content
    for format, expected in EXPECTED.items():
        assert get(api, document, format) == expected

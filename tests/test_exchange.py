"""Documents as files over REST: export in every format, import of every format, and round
trips through DOCX and ODT that keep headings, lists, tables, links, marks and images; a .docx
written by python-docx is read by pandoc."""

import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx.enum.text import WD_COLOR_INDEX
from PIL import Image
from pypdf import PdfReader
from rest_framework.test import APIClient

from documents.models import Attachment, Document, Membership
from tests.attachment_files import attachment_storage, image_bytes, upload  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("attachment_storage"),
]


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def document(user, make_document):
    return make_document(user, "Quarterly report: Q3/Q4")


def text(value: str, *marks: str, **attrs) -> dict:
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = [{"type": mark} for mark in marks]
    if attrs:
        node["marks"] = [*node.get("marks", []), {"type": "link", "attrs": attrs}]
    return node


def para(*inline: dict) -> dict:
    return {"type": "paragraph", "content": list(inline)}


def item(kind: str, *blocks: dict, **attrs) -> dict:
    node = {"type": kind, "content": list(blocks)}
    return {**node, "attrs": attrs} if attrs else node


def cell(kind: str, value: str, colspan: int = 1) -> dict:
    return {
        "type": kind,
        "attrs": {"colspan": colspan, "rowspan": 1},
        "content": [para(text(value))],
    }


def rich_doc(image_src: str) -> dict:
    """Every kind of content a round trip through a word processor's format must keep."""
    return {
        "type": "doc",
        "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [text("Results")]},
            {"type": "heading", "attrs": {"level": 2}, "content": [text("Details")]},
            para(
                text("Plain, "),
                text("bold", "bold"),
                text(", "),
                text("italic", "italic"),
                text(", "),
                text("underlined", "underline"),
                text(", "),
                text("struck", "strike"),
                text(", H"),
                text("2", "subscript"),
                text("O, x"),
                text("2", "superscript"),
                text(" and "),
                text("a link", href="https://example.com/page"),
            ),
            item(
                "bulletList",
                item(
                    "listItem",
                    para(text("Apples")),
                    item("bulletList", item("listItem", para(text("Green")))),
                ),
                item("listItem", para(text("Pears"))),
            ),
            item(
                "orderedList",
                item("listItem", para(text("First"))),
                item("listItem", para(text("Second"))),
            ),
            item(
                "taskList",
                item("taskItem", para(text("Done already")), checked=True),
                item("taskItem", para(text("Still to do")), checked=False),
            ),
            {
                "type": "table",
                "content": [
                    {
                        "type": "tableRow",
                        "content": [cell("tableHeader", "Fruit"), cell("tableHeader", "Qty")],
                    },
                    {
                        "type": "tableRow",
                        "content": [cell("tableCell", "Apples"), cell("tableCell", "3")],
                    },
                    {
                        "type": "tableRow",
                        "content": [cell("tableCell", "Both together", colspan=2)],
                    },
                ],
            },
            {"type": "image", "attrs": {"src": image_src, "alt": "A red box", "width": 120}},
            para(text("The end.")),
        ],
    }


def put_json(api: APIClient, document, doc: dict) -> None:
    response = api.put(
        f"/api/documents/{document.id}/content", {"format": "json", "content": doc}, format="json"
    )
    assert response.status_code == 200, response.content


def uploaded_image(api: APIClient, document) -> str:
    response = api.post(
        f"/api/documents/{document.id}/attachments/",
        {"file": upload("box.png", image_bytes("PNG", (40, 20)))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["url"]


def export(api: APIClient, document, file_format: str):
    response = api.get(f"/api/documents/{document.id}/export", {"format": file_format})
    assert response.status_code == 200, response.content
    return response


def import_file(api: APIClient, name: str, data: bytes, **fields):
    return api.post(
        "/api/documents/import",
        {"file": SimpleUploadedFile(name, data), **fields},
        format="multipart",
    )


def content_of(api: APIClient, document_id: str) -> dict:
    response = api.get(f"/api/documents/{document_id}/content")
    assert response.status_code == 200
    return response.json()["content"]


def walk(node: dict):
    yield node
    for child in node.get("content", []):
        yield from walk(child)


def marks_by_text(doc: dict) -> dict[str, set[str]]:
    return {
        node["text"]: {mark["type"] for mark in node.get("marks", [])}
        for node in walk(doc)
        if node["type"] == "text"
    }


def assert_keeps_the_rich_content(doc: dict) -> None:
    """What a DOCX or ODT round trip must keep of rich_doc."""
    nodes = list(walk(doc))
    headings = [
        (n["attrs"]["level"], n["content"][0]["text"]) for n in nodes if n["type"] == "heading"
    ]
    assert headings == [(1, "Results"), (2, "Details")]
    marks = marks_by_text(doc)
    assert "bold" in marks["bold"]
    assert "italic" in marks["italic"]
    assert "strike" in marks["struck"]
    assert "subscript" in marks["2"] or "superscript" in marks["2"]
    assert "link" in marks["a link"]
    links = [m["attrs"]["href"] for n in nodes for m in n.get("marks", []) if m["type"] == "link"]
    assert links == ["https://example.com/page"]
    bullets = [n for n in nodes if n["type"] == "bulletList"]
    assert any(
        b2 is not b for b in bullets for b2 in walk(b) if b2["type"] == "bulletList"
    )  # nested
    assert [n["type"] for n in nodes].count("orderedList") == 1
    tasks = [
        (n["attrs"]["checked"], n["content"][0]["content"][0]["text"])
        for n in nodes
        if n["type"] == "taskItem"
    ]
    assert tasks == [(True, "Done already"), (False, "Still to do")]
    table = next(n for n in nodes if n["type"] == "table")
    cells = [c for c in walk(table) if c["type"] in ("tableHeader", "tableCell")]
    assert [c["content"][0]["content"][0]["text"] for c in cells] == [
        "Fruit",
        "Qty",
        "Apples",
        "3",
        "Both together",
    ]
    assert cells[0]["type"] == "tableHeader"
    assert cells[-1]["attrs"]["colspan"] == 2
    assert "The end." in marks


def assert_image_became_an_attachment(api: APIClient, doc: dict, document_id: str) -> None:
    images = [n for n in walk(doc) if n["type"] == "image"]
    assert len(images) == 1
    src = images[0]["attrs"]["src"]
    assert src.startswith(f"/api/documents/{document_id}/attachments/")
    assert images[0]["attrs"].get("width") == 120
    served = api.get(src)
    assert served.status_code == 200
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.size == (40, 20)
    assert Attachment.objects.filter(document_id=document_id).count() == 1


# ---------------------------------------------------------------------------------------------
# Export


@pytest.mark.parametrize(
    ("file_format", "media_type", "magic"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("odt", "application/vnd.oasis.opendocument.text", b"PK"),
        ("pdf", "application/pdf", b"%PDF-"),
        ("md", "text/markdown; charset=utf-8", b"# Results"),
        ("html", "text/html; charset=utf-8", b"<!doctype html>"),
        ("txt", "text/plain; charset=utf-8", b"Results"),
    ],
)
def test_export_downloads_a_file_named_after_the_title(
    api, document, file_format, media_type, magic
):
    put_json(api, document, rich_doc(uploaded_image(api, document)))
    response = export(api, document, file_format)
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="Quarterly report  Q3 Q4.{file_format}"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(magic)


def test_a_title_beyond_ascii_is_named_as_rfc_6266_says(api, user, make_document):
    document = make_document(user, "Café menu")
    response = export(api, document, "txt")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Caf%C3%A9%20menu.txt"


def test_the_html_and_text_exports_carry_everything(api, document):
    put_json(api, document, rich_doc(uploaded_image(api, document)))
    page = export(api, document, "html").content.decode()
    assert "<title>Quarterly report: Q3/Q4</title>" in page
    for part in (
        "<h1>Results</h1>",
        "<u>underlined</u>",
        '<ul data-type="taskList">',
        'colspan="2"',
        "<img",
    ):
        assert part in page
    plain = export(api, document, "txt").content.decode()
    assert "[x] Done already" in plain and "[ ] Still to do" in plain
    markdown = export(api, document, "md").content.decode()
    assert "- [x] Done already" in markdown
    assert '<td colspan="2">' in markdown  # a table with merged cells is HTML in GFM


def test_the_docx_export_is_a_word_document_with_the_content(api, document):
    put_json(api, document, rich_doc(uploaded_image(api, document)))
    written = docx.Document(io.BytesIO(export(api, document, "docx").content))
    paragraphs = [(p.style.name, p.text) for p in written.paragraphs]
    assert ("Heading 1", "Results") in paragraphs
    assert ("Heading 2", "Details") in paragraphs
    runs = {run.text: run for p in written.paragraphs for run in p.runs}
    assert runs["bold"].bold and runs["italic"].italic and runs["underlined"].underline
    assert "Done already" in [text for _, text in paragraphs]
    numbering = zipfile.ZipFile(io.BytesIO(export(api, document, "docx").content))
    assert "☒" in numbering.read("word/numbering.xml").decode()  # the item's bullet
    [table] = written.tables
    assert [c.text for c in table.rows[1].cells] == ["Apples", "3"]
    assert len(written.inline_shapes) == 1


def test_the_pdf_export_has_the_text_and_the_image_on_numbered_pages(api, document):
    long = [para(text(f"Paragraph {n} of a long document.")) for n in range(120)]
    doc = rich_doc(uploaded_image(api, document))
    put_json(api, document, {**doc, "content": doc["content"] + long})
    reader = PdfReader(io.BytesIO(export(api, document, "pdf").content))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert "Results" in first and "Apples" in first
    assert f"1 / {len(reader.pages)}" in first
    assert "Paragraph 119" in reader.pages[-1].extract_text()
    assert len(reader.pages[0].images) == 1


def test_export_takes_only_the_documents_own_images(api, user, make_document, document):
    other = make_document(user, "Other")
    foreign = uploaded_image(api, other)
    put_json(
        api,
        document,
        {
            "type": "doc",
            "content": [
                {"type": "image", "attrs": {"src": foreign, "alt": "not mine"}},
                {
                    "type": "image",
                    "attrs": {"src": "https://example.com/remote.png", "alt": "remote"},
                },
            ],
        },
    )
    written = docx.Document(io.BytesIO(export(api, document, "docx").content))
    assert len(written.inline_shapes) == 0
    assert "not mine" in "".join(p.text for p in written.paragraphs)


def test_export_access_and_formats(api, user, make_user, make_document, token_for, document):
    viewer, stranger = make_user("viewer"), make_user("stranger")
    Membership.objects.create(document=document, user=viewer, role="viewer")
    as_viewer, as_stranger, anonymous = APIClient(), APIClient(), APIClient()
    as_viewer.credentials(HTTP_AUTHORIZATION=f"Token {token_for(viewer)}")
    as_stranger.credentials(HTTP_AUTHORIZATION=f"Token {token_for(stranger)}")
    url = f"/api/documents/{document.id}/export"
    assert as_viewer.get(url, {"format": "docx"}).status_code == 200
    assert as_stranger.get(url, {"format": "docx"}).status_code == 404
    assert anonymous.get(url, {"format": "docx"}).status_code == 401
    missing = api.get(url)
    assert missing.status_code == 400
    assert "docx" in missing.json()["format"][0]
    assert api.get(url, {"format": "exe"}).status_code == 400


# ---------------------------------------------------------------------------------------------
# Import


@pytest.mark.parametrize("file_format", ["docx", "odt"])
def test_a_round_trip_keeps_headings_lists_tables_links_marks_and_images(
    api, document, file_format
):
    put_json(api, document, rich_doc(uploaded_image(api, document)))
    exported = export(api, document, file_format).content
    response = import_file(api, f"report.{file_format}", exported)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "report"
    assert created["role"] == "owner"
    assert response["Location"] == created["url"]
    doc = content_of(api, created["id"])
    assert_keeps_the_rich_content(doc)
    assert_image_became_an_attachment(api, doc, created["id"])
    if file_format == "docx":  # pandoc reads ODT's underline as emphasis
        assert "underline" in marks_by_text(doc)["underlined"]


def test_a_docx_written_by_python_docx_is_imported(api):
    written = docx.Document()
    written.add_heading("Minutes", level=1)
    paragraph = written.add_paragraph("Attended: ")
    paragraph.add_run("everyone").bold = True
    paragraph.add_run(", mostly").italic = True
    underlined = paragraph.add_run(" on time")
    underlined.underline = True
    underlined.font.highlight_color = WD_COLOR_INDEX.YELLOW
    written.add_paragraph("Budget", style="List Bullet")
    written.add_paragraph("Hiring", style="List Number")
    table = written.add_table(rows=2, cols=2)
    for (row, col), value in {(0, 0): "Who", (0, 1): "What", (1, 0): "Ada", (1, 1): "Code"}.items():
        table.cell(row, col).text = value
    picture = io.BytesIO(image_bytes("PNG", (30, 30)))
    written.add_picture(picture)
    out = io.BytesIO()
    written.save(out)

    response = import_file(api, "minutes.docx", out.getvalue(), title="Team minutes")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Team minutes"
    doc = content_of(api, response.json()["id"])
    nodes = list(walk(doc))
    assert any(n["type"] == "heading" and n["content"][0]["text"] == "Minutes" for n in nodes)
    marks = marks_by_text(doc)
    assert "bold" in marks["everyone"] and "italic" in marks[", mostly"]
    assert {"underline", "highlight"} <= marks["on time"]
    kinds = [n["type"] for n in nodes]
    assert "bulletList" in kinds and "orderedList" in kinds
    cells = [c for c in nodes if c["type"] in ("tableCell", "tableHeader")]
    assert [c["content"][0]["content"][0]["text"] for c in cells] == ["Who", "What", "Ada", "Code"]
    [image] = [n for n in nodes if n["type"] == "image"]
    assert image["attrs"]["src"].startswith(f"/api/documents/{response.json()['id']}/attachments/")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "notes.md",
            b"# Notes\n\n- [x] tea\n- [ ] cake\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            "taskList",
        ),
        ("page.html", b"<h2>Page</h2><table><tr><td>x</td></tr></table>", "table"),
        ("plain.txt", "\ufeffCaf\u00e9\n\nSecond".encode(), "paragraph"),
    ],
)
def test_text_formats_are_imported(api, name, data, expected):
    response = import_file(api, name, data)
    assert response.status_code == 201, response.content
    doc = content_of(api, response.json()["id"])
    assert expected in {n["type"] for n in walk(doc)}


def test_the_imported_document_is_searchable_and_listed(api):
    response = import_file(api, "recipes.md", b"Bake the sourdough overnight.")
    assert response.status_code == 201
    listed = api.get("/api/documents/", {"search": "sourdough"}).json()["results"]
    assert [d["id"] for d in listed] == [response.json()["id"]]


def test_import_needs_a_signed_in_user_and_one_file(api, user):
    assert APIClient().post("/api/documents/import", {}, format="multipart").status_code == 401
    response = api.post("/api/documents/import", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    too_long = import_file(api, "a.txt", b"x", title="t" * 201)
    assert too_long.status_code == 400
    assert Document.objects.count() == 0

"""Files in and out through the pages: a Word document imported from the list, seen by two
people, exported from the editor's menu in every format; printing prints the document alone."""

import io
import re

import docx
import pypdf
from docx.shared import Pt
from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import Browsers, EditorPage, Server
from e2e.shared_document import open_shared


def word_document(path) -> None:
    """A .docx as Word users write them: written by python-docx, read by the server's pandoc."""
    written = docx.Document()
    written.add_heading("Quarterly plan", level=1)
    paragraph = written.add_paragraph("Ship the ")
    paragraph.add_run("editor").bold = True
    paragraph.add_run(" and ")
    paragraph.add_run("import").underline = True
    written.add_paragraph("Tables", style="List Bullet")
    written.add_paragraph("Images", style="List Bullet")
    table = written.add_table(rows=2, cols=2)
    for (row, col), value in {
        (0, 0): "Owner",
        (0, 1): "Task",
        (1, 0): "Ada",
        (1, 1): "Parser",
    }.items():
        table.cell(row, col).text = value
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(picture, "PNG")
    picture.seek(0)
    written.add_picture(picture, width=Pt(60))
    written.save(path)


def import_from_list(editor: EditorPage, path):
    """Imports `path` with the list's Import card, in a new page of the editor's browser; the
    page the import opens."""
    page = editor.page.context.new_page()
    page.goto("/")
    with page.expect_file_chooser() as chooser:
        page.locator('[data-action="import"]').click()
    chooser.value.set_files(path)
    expect(page).to_have_url(re.compile(r"/documents/[0-9a-f-]{36}/$"))
    return page


def export_from_menu(page, label: str, tmp_path):
    """Downloads one format from the Export menu; the saved file's path and suggested name."""
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name=label).click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return saved


def test_a_docx_imported_from_the_list_is_shared_edited_and_exported_in_every_format(
    server: Server, browsers: Browsers, users, tmp_path
):
    alice, bob = users(), users()
    source = tmp_path / "quarterly_plan.docx"
    word_document(source)
    list_owner = browsers.editor(alice, server.create_document(alice, "Elsewhere"))
    page = import_from_list(list_owner, source)
    document = re.search(r"/documents/([0-9a-f-]{36})/", page.url).group(1)

    # What the file holds is in the editor: heading, marks, list, table, image.
    text = page.locator(".ProseMirror")
    expect(page.locator("#doc-title")).to_have_value("quarterly plan")
    expect(text.locator("h1")).to_have_text("Quarterly plan")
    expect(text.locator("p strong")).to_have_text("editor")
    expect(text.locator("p u")).to_have_text("import")
    expect(text.locator("ul > li")).to_have_text(["Tables", "Images"])
    expect(text.locator("table td, table th")).to_have_text(["Owner", "Task", "Ada", "Parser"])
    expect(text.locator("img")).to_have_attribute(
        "src", re.compile(rf"^/api/documents/{document}/attachments/")
    )

    # Bob, once shared with, sees it and adds a line that Alice's copy gets.
    server.share(document, alice, bob)
    b = browsers.editor(bob, document)
    expect(b.editor.locator("table td, table th")).to_have_text(["Owner", "Task", "Ada", "Parser"])
    expect(b.editor.locator("img")).to_have_count(1)
    b.click_end()
    b.type("Added by Bob")
    expect(text).to_contain_text("Added by Bob")
    b.wait_saved()

    # Every format from Alice's Export menu, named after the title, with everything in it.
    word = docx.Document(export_from_menu(page, "Microsoft Word (.docx)", tmp_path))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Quarterly plan" in paragraphs and "Added by Bob" in paragraphs
    assert any(run.bold and run.text == "editor" for p in word.paragraphs for run in p.runs)
    assert [cell.text for row in word.tables[0].rows for cell in row.cells] == [
        "Owner",
        "Task",
        "Ada",
        "Parser",
    ]
    assert len(word.inline_shapes) == 1

    pdf = pypdf.PdfReader(export_from_menu(page, "PDF document (.pdf)", tmp_path))
    pdf_text = "".join(p.extract_text() for p in pdf.pages)
    assert "Quarterly plan" in pdf_text and "Parser" in pdf_text and "Added by Bob" in pdf_text

    odt = export_from_menu(page, "OpenDocument text (.odt)", tmp_path)
    assert odt.name == "quarterly plan.odt" and odt.read_bytes().startswith(b"PK")
    markdown = export_from_menu(page, "Markdown (.md)", tmp_path).read_text(encoding="utf-8")
    assert markdown == server.content(document, alice, "markdown")
    assert "# Quarterly plan" in markdown and "| Owner" in markdown
    html = export_from_menu(page, "Web page (.html)", tmp_path).read_text(encoding="utf-8")
    assert "<title>quarterly plan</title>" in html and "<u>import</u>" in html
    plain = export_from_menu(page, "Plain text (.txt)", tmp_path)
    assert plain.name == "quarterly plan.txt" and "Added by Bob" in plain.read_text(
        encoding="utf-8"
    )


def test_the_import_card_refuses_what_it_cannot_read_and_leaves_no_document(
    server: Server, browsers: Browsers, users, tmp_path
):
    alice = users()
    editor = browsers.editor(alice, server.create_document(alice, "Only this one"))
    page = editor.page.context.new_page()
    page.goto("/")
    before = server.ok("GET", "/api/documents/", user=alice)["count"]

    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00")
    with page.expect_file_chooser() as chooser:
        page.locator('[data-action="import"]').click()
    chooser.value.set_files(program)
    expect(page.locator(".toast")).to_contain_text("Import takes Word (.docx)")

    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with page.expect_file_chooser() as chooser:
        page.locator('[data-action="import"]').click()
    chooser.value.set_files(damaged)
    expect(page.locator(".toast").last).to_contain_text("Could not import damaged.docx")
    expect(page).to_have_url(re.compile(r"/$"))
    assert server.ok("GET", "/api/documents/", user=alice)["count"] == before


def test_printing_prints_the_document_alone_on_numbered_pages(
    server: Server, browsers: Browsers, users
):
    paragraphs = "\n\n".join(f"Paragraph {n} of the printed document." for n in range(1, 61))
    a, b, violations = open_shared(server, browsers, users, "Printed", paragraphs)
    b.click_end()
    b.type(" Bob was here.")
    expect(a.editor).to_contain_text("Bob was here.")

    page = a.page
    page.emulate_media(media="print")
    for chrome in (".topbar", ".toolbar-wrap", "#status-line"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(a.editor).to_be_visible()
    expect(page.locator(".collaboration-carets__caret")).to_be_hidden()

    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(pdf.pages) >= 2
    first, last = pdf.pages[0].extract_text(), pdf.pages[-1].extract_text()
    assert "Paragraph 1 of the printed document." in first
    assert "Bob was here." in last
    assert f"1 / {len(pdf.pages)}" in first
    everything = "".join(p.extract_text() for p in pdf.pages)
    for app_text in ("Share", "History", "Export", "Sign out", "All changes saved", a.user.name):
        assert app_text not in everything
    violations.assert_none(a.page)

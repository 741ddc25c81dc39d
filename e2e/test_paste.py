"""Pasting from Google Docs, Word and web pages keeps headings, lists, tables, links and marks,
in both browsers; pasted images are stored as attachments of the document, never hot-linked,
and those that cannot be are left out with a notice."""

import base64
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import EditorPage
from e2e.shared_document import open_shared

CLIPBOARD = Path(__file__).parent / "fixtures" / "clipboard"

PASTE_JS = """([html, text]) => {
  const data = new DataTransfer()
  data.setData('text/html', html)
  data.setData('text/plain', text)
  const target = document.querySelector('.ProseMirror')
  target.focus()
  const init = { clipboardData: data, bubbles: true, cancelable: true }
  target.dispatchEvent(new ClipboardEvent('paste', init))
}"""


def paste(page: EditorPage, html: str, text: str = "") -> None:
    """Pastes `html` into a new paragraph at the end, as a browser does with what another
    program copied."""
    page.click_end()
    page.page.keyboard.press("Enter")
    page.page.evaluate(PASTE_JS, [html, text])


def png(color: tuple[int, int, int], size=(30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_a_google_docs_paste_keeps_headings_marks_nested_lists_links_and_tables(
    server, browsers, users
):
    a, b, violations = open_shared(server, browsers, users, "From Docs", "Before.")
    paste(a, (CLIPBOARD / "google_docs.html").read_text(encoding="utf-8"))
    for page in (a, b):
        text = page.editor
        expect(text.locator("h1")).to_have_text("Project plan")
        expect(text.locator("h2")).to_have_text("Steps")
        # The wrapper Google Docs puts around everything is not bold.
        expect(text.locator("strong")).to_have_text(["bold words", "Owner", "Task"])
        expect(text.locator("em")).to_have_text("italic words")
        expect(text.locator("u")).to_have_text(["underlined words", "a link"])
        expect(text.locator("mark")).to_have_text("highlighted words")
        expect(text.locator('a[href="https://example.com/spec"]')).to_have_text("a link")
        expect(text.locator("ul > li")).to_have_count(3)
        expect(text.locator("ul > li > ul > li")).to_have_text("Nested step")
        # (The other person's caret, with its name, may sit in the last cell.)
        cells = ["Owner", "Task", "Ada", re.compile("^Parser")]
        expect(text.locator("table td, table th")).to_have_text(cells)
    # Docs writes black on every run: no colour comes with it.
    html = server.content(a.document_id, a.user, "html")
    assert "#000000" not in html and "<span" not in html
    violations.assert_none(a.page)


def test_a_word_paste_makes_real_nested_and_numbered_lists(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "From Word", "Before.")
    paste(a, (CLIPBOARD / "word.html").read_text(encoding="utf-8"))
    for page in (a, b):
        text = page.editor
        expect(text.locator("h1")).to_have_text("Meeting notes")
        expect(text.locator("h2")).to_have_text("Agenda")
        expect(text.locator("strong")).to_have_text("Bold")
        expect(text.locator("em")).to_have_text("italic")
        expect(text.locator("u")).to_have_text("underlined")
        expect(text.locator("ul > li > p")).to_have_text(["Budget", "Travel", "Hiring"])
        expect(text.locator("ul > li > ul > li")).to_have_text("Travel")
        expect(text.locator("ol > li")).to_have_text(["Decide", "Ship"])
        cells = ["Item", "Cost", "Train", re.compile("^120")]
        expect(text.locator("table td, table th")).to_have_text(cells)
    stored = server.content(a.document_id, a.user, "text")
    assert "·" not in stored and "o:p" not in stored and "mso" not in stored
    assert re.search(r"color: ?#c00000", server.content(a.document_id, a.user, "html"), re.I)
    violations.assert_none(a.page)


@pytest.fixture
def image_site():
    """A web site on this machine serving one PNG (the server may fetch from 127.0.0.1 in
    these tests), and counting what is asked of it."""
    body = png((20, 120, 200), (40, 30))
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            if self.path != "/photo.png":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}", asked
    site.shutdown()


def test_pasted_images_are_stored_in_the_document_and_never_hot_linked(
    server, browsers, users, image_site
):
    site, asked = image_site
    a, b, violations = open_shared(server, browsers, users, "Pictures", "Before.")
    html = (
        "<p>Embedded</p>"
        f'<p><img src="{data_url(png((200, 30, 30)))}" alt="red box"></p>'
        "<p>From the web</p>"
        f'<p><img src="{site}/photo.png" alt="a photo"></p>'
        '<p>From a disk</p><p><img src="file:///C:/Users/me/AppData/Local/Temp/clip_image002.png"></p>'
        f'<p><img src="{site}/missing.png"></p><p>After</p>'
    )
    paste(a, html)
    own = re.compile(rf"^/api/documents/{a.document_id}/attachments/")
    for page in (a, b):
        images = page.editor.locator("img")
        expect(images).to_have_count(2)
        for index in range(2):
            expect(images.nth(index)).to_have_attribute("src", own)
        expect(page.editor.locator('img[alt="red box"]')).to_have_count(1)
        expect(page.editor.locator('img[alt="a photo"]')).to_have_count(1)
    expect(a.page.locator(".toast").last).to_contain_text("2 pasted images were left out")
    # In the order they were pasted, each where it was.
    order = a.page.evaluate(
        "() => [...document.querySelectorAll('.ProseMirror p, .ProseMirror img')]"
        ".map((n) => n.tagName === 'IMG' ? n.alt : n.textContent).filter(Boolean)"
    )
    assert order.index("red box") < order.index("From the web") < order.index("a photo")
    assert asked == ["/photo.png", "/missing.png"]  # fetched by the server, once each
    # The browsers never asked the other site for anything but through the document.
    content = server.content(a.document_id, a.user, "json")
    sources = [n["attrs"]["src"] for n in walk(content) if n["type"] == "image"]
    assert len(sources) == 2 and all(own.match(src) for src in sources)
    violations.assert_none(a.page)


def test_a_paste_brings_in_a_bounded_number_of_images(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Too many", "Before.")
    pictures = "".join(
        f'<p><img src="{data_url(png((n * 9 % 255, 80, 80), (8, 8)))}"></p>' for n in range(25)
    )
    forged = '<p><img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></p>'
    paste(a, f"<p>Gallery</p>{pictures}{forged}<p>End</p>")
    expect(a.page.locator(".toast").last).to_contain_text("6 pasted images were left out")
    for page in (a, b):
        expect(page.editor.locator("img")).to_have_count(20)
        expect(page.editor).to_contain_text("End")
    assert "<script" not in server.content(a.document_id, a.user, "html")


def walk(node: dict):
    yield node
    for child in node.get("content", []):
        yield from walk(child)

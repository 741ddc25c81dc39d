"""Images in two browsers: inserted from an address with a description (the server fetches it
into the document), resized from a corner, and the other person sees both, under the page's
CSP."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.conftest import EditorPage, eventually
from e2e.shared_document import open_shared

# An image of this site (the e2e server may fetch from 127.0.0.1): 469 × 159 pixels.
IMAGE = "/static/rest_framework/img/glyphicons-halflings.png"

IMAGES_JS = """() => {
  const images = []
  window.docsEditor.editor.state.doc.descendants((node) => {
    if (node.type.name === 'image') images.push(node.attrs)
  })
  return images
}"""


def _images(page: EditorPage) -> list[dict]:
    return page.page.evaluate(IMAGES_JS)


def _same_images(a: EditorPage, b: EditorPage) -> list[dict]:
    images_a, images_b = _images(a), _images(b)
    assert images_a == images_b and images_a, f"images differ:\nA: {images_a}\nB: {images_b}"
    return images_a


def test_an_image_inserted_from_its_address_and_resized(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Images", "Above the image")

    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="image"]').click()
    dialog = a.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Insert image")
    a.type(IMAGE)  # replaces the "https://" the field opens with
    a.page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Describe the image")
    a.type("Icons")
    a.page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)

    # The server fetched it: the document shows its own copy, never the address typed.
    stored = re.compile(rf"^/api/documents/{a.document_id}/attachments/")
    shown = b.editor.locator('img[alt="Icons"]')
    expect(shown).to_have_attribute("src", stored)
    expect(shown).to_be_visible()  # loaded: the node view shows it
    [image] = eventually(lambda: _same_images(a, b))
    assert stored.match(image["src"]) and image["alt"] == "Icons" and image["width"] is None, image

    # Dragging the bottom-right corner to the left makes it narrower, for both.
    mine = a.editor.locator('img[alt="Icons"]')
    mine.hover()
    handle = a.editor.locator('[data-resize-handle="bottom-right"]')
    expect(handle).to_be_visible()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    a.page.mouse.move(x, y)
    a.page.mouse.down()
    a.page.mouse.move(x - 150, y, steps=10)
    a.page.mouse.up()

    def resized() -> dict:
        [image] = _same_images(a, b)
        assert image["width"] is not None and 250 < image["width"] < 400, image
        return image

    image = eventually(resized)
    expect(shown).to_have_css("width", f"{image['width']}px")
    violations.assert_none(a.page)


def test_an_address_that_is_no_image_address_inserts_nothing(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Images")
    server.put_content(document, alice, "Text")
    a = browsers.editor(alice, document)

    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="image"]').click()
    a.type("javascript:alert(1)")
    a.page.keyboard.press("Enter")
    expect(a.page.get_by_role("dialog")).to_have_count(0)
    a.type("!")  # the focus is back in the text, where the caret was
    a.wait_text("Text!")
    assert _images(a) == []


# What a browser gives the page for a pasted or dropped file: a PNG of this site, as a File.
DISPATCH_JS = """async ([kind, png]) => {
  const bytes = await (await fetch(png)).blob()
  const data = new DataTransfer()
  data.items.add(new File([bytes], 'grid.png', { type: 'image/png' }))
  const target = document.querySelector('.ProseMirror')
  const event = { bubbles: true, cancelable: true }
  if (kind === 'paste') {
    target.dispatchEvent(new ClipboardEvent('paste', { ...event, clipboardData: data }))
  } else {
    const box = target.querySelector('p').getBoundingClientRect()
    const at = { clientX: box.left + 2, clientY: box.top + box.height / 2 }
    target.dispatchEvent(new DragEvent('drop', { ...event, dataTransfer: data, ...at }))
  }
}"""
PNG = "/static/rest_framework/img/grid.png"


def test_images_are_uploaded_from_the_toolbar_a_paste_and_a_drop(server, browsers, users):
    a, b, violations = open_shared(
        server, browsers, users, "Uploads", "Uploads here", role="viewer"
    )
    document = a.document_id
    png = a.page.request.get(PNG).body()

    a.click_end()
    with a.page.expect_file_chooser() as chooser:
        a.page.get_by_role("toolbar", name="Formatting").locator(
            '[data-tool="imageUpload"]'
        ).click()
    chooser.value.set_files({"name": "chosen.png", "mimeType": "image/png", "buffer": png})
    expect(b.editor.locator("img")).to_have_count(1)

    a.page.evaluate(DISPATCH_JS, ["paste", PNG])
    expect(b.editor.locator("img")).to_have_count(2)
    a.page.evaluate(DISPATCH_JS, ["drop", PNG])
    expect(b.editor.locator("img")).to_have_count(3)

    # Each is an attachment of this document, which Bob (a viewer) may load too.
    images = eventually(lambda: _same_images(a, b))
    prefix = f"/api/documents/{document}/attachments/"
    assert all(image["src"].startswith(prefix) for image in images), images
    assert len({image["src"] for image in images}) == 3, images
    b.page.wait_for_function(
        "() => [...document.querySelectorAll('.ProseMirror img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    violations.assert_none(a.page)

"""The document outline: a side panel of the headings that follows the other browser's edits,
jumps to a heading on a click and takes turns with the version history in the side panel."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.shared_document import open_shared

HTML = "<h1>Intro</h1><p>Some text.</p><h2>Details</h2><p>More text.</p><h4>Too deep</h4>"

# The heading the caret is in, once ProseMirror's state has it there.
CARET_IN_JS = (
    "(text) => { const { $from, empty } = window.docsEditor.editor.state.selection; "
    "return empty && $from.parent.type.name === 'heading' && $from.parent.textContent === text "
    "&& $from.parentOffset === 0 }"
)


def test_outline_follows_remote_headings_and_jumps_to_one(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Outline")
    server.put_content(a.document_id, a.user, HTML, "html")
    for page in (a, b):
        # (The REST edit may leave the page's empty paragraph after it.)
        page.wait_contains("Intro\nSome text.\nDetails\nMore text.\nToo deep")

    button = a.page.locator('[data-action="outline"]')
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    outline = a.page.get_by_role("navigation", name="Outline")
    entries = outline.locator(".outline-entry")
    expect(entries).to_have_text(["Intro", "Details"])  # levels 1 to 3 only
    expect(entries.nth(1)).to_have_attribute("data-level", "2")

    # Bob adds a heading of level 3 at the end: it appears in Alice's outline.
    b.click_end()
    b.page.keyboard.press("Enter")
    b.page.keyboard.press("Control+Alt+3")
    b.type("Bob's part")
    expect(entries).to_have_text(["Intro", "Details", "Bob's part"])
    expect(entries.nth(2)).to_have_attribute("data-level", "3")

    # A click puts the caret at the start of the heading: what Alice types lands there.
    outline.get_by_role("button", name="Details").click()
    a.page.wait_for_function(CARET_IN_JS, arg="Details")
    expect(a.editor).to_be_focused()
    a.type("More ")
    b.wait_contains("Some text.\nMore Details\nMore text.")
    expect(entries).to_have_text(["Intro", "More Details", "Bob's part"])
    violations.assert_none(a.page)


def test_outline_and_history_take_turns_in_the_side_panel(server, browsers, users):
    a, _b, violations = open_shared(server, browsers, users, "Panels", "text")
    outline_button = a.page.locator('[data-action="outline"]')
    history_button = a.page.locator('[data-action="history"]')
    panel = a.page.locator("#side-panel")

    outline_button.click()
    expect(panel.get_by_role("heading", name="Outline")).to_be_visible()
    expect(panel).to_contain_text("No headings yet")

    history_button.click()
    expect(history_button).to_have_attribute("aria-pressed", "true")
    expect(outline_button).to_have_attribute("aria-pressed", "false")
    expect(panel.get_by_role("heading", name="Version history")).to_be_visible()

    outline_button.click()
    expect(outline_button).to_have_attribute("aria-pressed", "true")
    expect(history_button).to_have_attribute("aria-pressed", "false")
    expect(panel.get_by_role("heading", name="Outline")).to_be_visible()

    panel.get_by_role("button", name="Close outline").click()
    expect(panel).to_be_hidden()
    expect(outline_button).to_have_attribute("aria-pressed", "false")
    violations.assert_none(a.page)


def test_a_click_scrolls_a_far_heading_into_view(server, browsers, users):
    a, _b, violations = open_shared(server, browsers, users, "Long outline")
    filler = "".join(f"<p>Line {number} of filler text.</p>" for number in range(80))
    server.put_content(a.document_id, a.user, f"<h1>Top</h1>{filler}<h2>Far down</h2>", "html")
    a.wait_contains("Far down")
    heading = a.editor.locator("h2", has_text="Far down")
    expect(heading).not_to_be_in_viewport()
    a.page.locator('[data-action="outline"]').click()
    a.page.get_by_role("navigation", name="Outline").get_by_role("button", name="Far down").click()
    a.page.wait_for_function(CARET_IN_JS, arg="Far down")
    expect(heading).to_be_in_viewport()
    violations.assert_none(a.page)

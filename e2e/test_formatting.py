"""Text formatting in two browsers: underline, colour, highlight, subscript and superscript,
alignment and clearing them, from the keyboard and the toolbar, seen by the other person and
applied under the page's CSP (no style attribute: colours through the CSSOM)."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.shared_document import open_shared


def test_underline_colour_and_highlight_reach_the_other_browser(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Formatting", "plain under red marked")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")

    a.select_text("under")
    a.page.keyboard.press("Control+u")
    expect(toolbar.locator('[data-tool="underline"]')).to_have_attribute("aria-pressed", "true")

    a.select_text("red")
    toolbar.locator('[data-tool="textColor"]').click()
    a.page.locator('.palette [aria-label="Red"]').click()
    expect(a.page.locator(".palette")).to_have_count(0)

    a.select_text("marked")
    toolbar.locator('[data-tool="highlight"]').click()
    a.page.locator('.palette [aria-label="Green"]').click()

    for page in (a, b):
        expect(page.editor.locator("u")).to_have_text("under")
        colored = page.editor.locator("span", has_text="red")
        expect(colored).to_have_css("color", "rgb(217, 48, 37)")
        expect(page.editor.locator("mark")).to_have_text("marked")
        expect(page.editor.locator("mark")).to_have_css("background-color", "rgb(187, 247, 208)")
    b.wait_text("plain under red marked")
    violations.assert_none(a.page)


def test_subscript_superscript_and_clear_formatting(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Formatting", "H2O and x2 stay")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")

    a.select_text("2")  # of H2O
    toolbar.locator('[data-tool="subscript"]').click()
    a.select_text("x2")
    a.page.keyboard.press("ArrowRight")
    a.page.keyboard.press("Shift+ArrowLeft")  # the "2" of x2
    toolbar.locator('[data-tool="superscript"]').click()
    a.select_text("stay")
    a.page.keyboard.press("Control+u")

    expect(b.editor.locator("sub")).to_have_text("2")
    expect(b.editor.locator("sup")).to_have_text("2")
    expect(b.editor.locator("u")).to_have_text("stay")

    # Ctrl-\ clears every mark of the selection, here all of it.
    a.editor.click()
    a.page.keyboard.press("Control+a")
    a.page.keyboard.press("Control+\\")
    expect(b.editor.locator("sub, sup, u")).to_have_count(0)
    b.wait_text("H2O and x2 stay")
    violations.assert_none(a.page)


def test_alignment_from_the_keyboard_and_the_toolbar(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Formatting", "first\nsecond\nthird")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")

    a.select_text("first")
    a.page.keyboard.press("Control+Shift+e")
    a.select_text("second")
    a.page.keyboard.press("Control+Shift+r")
    a.select_text("third")
    toolbar.locator('[data-tool="align-justify"]').click()
    expect(toolbar.locator('[data-tool="align-justify"]')).to_have_attribute("aria-pressed", "true")

    for page in (a, b):
        paragraphs = page.editor.locator("p")
        expect(paragraphs.nth(0)).to_have_css("text-align", "center")
        expect(paragraphs.nth(1)).to_have_css("text-align", "right")
        expect(paragraphs.nth(2)).to_have_css("text-align", "justify")

    # Back to the left from the keyboard, and clear formatting resets an alignment too.
    a.select_text("first")
    a.page.keyboard.press("Control+Shift+l")
    a.select_text("second")
    a.page.keyboard.press("Control+\\")
    expect(b.editor.locator("p").nth(0)).to_have_css("text-align", "left")
    expect(b.editor.locator("p").nth(1)).to_have_css("text-align", "start")
    expect(b.editor.locator("p").nth(2)).to_have_css("text-align", "justify")
    violations.assert_none(a.page)

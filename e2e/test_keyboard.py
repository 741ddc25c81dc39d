"""The editor from the keyboard: Tab stays in the document, the title hands over to it, the
toolbar is one tab stop with arrow keys, and the Google Docs shortcuts."""

import re

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.conftest import EditorPage, eventually

# Where the focus is: the data-tool of a toolbar button, "editor", or the focused element's tag.
FOCUS_JS = """() => {
  const active = document.activeElement
  if (active?.closest('.ProseMirror')) return 'editor'
  return active?.dataset.tool ?? active?.tagName.toLowerCase() ?? null
}"""


def _focus(page: Page) -> str | None:
    return page.evaluate(FOCUS_JS)


# The marker a list item's line starts with in the server's plain text ("- ", "3. ", "[x] ").
LIST_MARKER = re.compile(r"^[ \t]*(?:[-*] |\d+\. )?(?:\[[ x]\] )?", re.MULTILINE)


def _open(server, browsers, users, content: str, fmt: str = "text") -> EditorPage:
    alice = users()
    document = server.create_document(alice, "Keys")
    server.put_content(document, alice, content, fmt)
    a = browsers.editor(alice, document)
    # Read the server's copy afresh each time: the editor may add a trailing paragraph after a
    # list (Tiptap's trailing node), which reaches the server a moment later. The page's text
    # has no list markers, the server's has.
    eventually(
        lambda: _assert_equal(a.text(), LIST_MARKER.sub("", server.content(document, alice)))
    )
    return a


# --------------------------------------------------------------------------------------------
# Tab and Shift-Tab


def test_tab_in_a_paragraph_indents_and_keeps_the_focus(server, browsers, users):
    a = _open(server, browsers, users, "Hello")
    a.click_end()

    a.page.keyboard.press("Tab")
    a.type("x")
    expect(a.editor).to_be_focused()
    a.wait_text("Hello\tx")

    a.page.keyboard.press("Shift+Tab")
    a.type("y")
    expect(a.editor).to_be_focused()
    a.wait_text("Hello\txy")
    a.wait_saved()
    assert server.content(a.document_id, a.user) == "Hello\txy"


def _assert_equal(actual: str, expected: str) -> None:
    assert actual == expected, f"{actual!r} != {expected!r}"


def _caret_in_item(a: EditorPage, text: str, key: str) -> None:
    """Puts the caret at the start (key "Home") or end ("End") of the list item `text`."""
    offset = "0" if key == "Home" else "$head.parent.content.size"
    condition = (
        "() => { const { $head, empty } = window.docsEditor.editor.state.selection; "
        f"return empty && $head.parent.textContent === {text!r} "
        f"&& $head.parentOffset === {offset} }}"
    )
    for _ in range(2):  # an update from the server may put the old selection back: once more
        a.editor.locator("li p", has_text=text).click()
        a.page.keyboard.press(key)
        try:
            a.page.wait_for_function(condition, timeout=2_000)
            return
        except PlaywrightTimeoutError:
            pass
    raise AssertionError(f"the caret never reached the {key} of {text!r}")


def test_tab_in_a_list_nests_the_item_and_shift_tab_lifts_it(server, browsers, users):
    a = _open(server, browsers, users, "- one\n- two", "markdown")
    items, nested = a.editor.locator("li"), a.editor.locator("ul ul > li")

    # The first item cannot nest: the focus stays all the same.
    _caret_in_item(a, "one", "Home")
    a.page.keyboard.press("Tab")
    a.type("z")
    expect(a.editor).to_be_focused()
    expect(items).to_have_text(["zone", "two"])

    _caret_in_item(a, "two", "End")
    a.page.keyboard.press("Tab")
    expect(nested).to_have_text("two")
    a.page.keyboard.press("Shift+Tab")
    expect(nested).to_have_count(0)
    a.type("!")
    expect(items).to_have_text(["zone", "two!"])


def test_enter_in_the_title_saves_it_and_moves_into_the_document(server, browsers, users):
    a = _open(server, browsers, users, "Body")
    title = a.page.locator("#doc-title")
    title.click()
    title.press("Control+a")
    a.type("Renamed by keyboard")

    a.page.keyboard.press("Enter")
    a.type("abc")

    expect(a.editor).to_be_focused()
    a.wait_contains("abc")
    expect(title).to_have_value("Renamed by keyboard")
    detail = f"/api/documents/{a.document_id}/"
    eventually(
        lambda: _assert_equal(server.ok("GET", detail, user=a.user)["title"], "Renamed by keyboard")
    )


# --------------------------------------------------------------------------------------------
# The toolbar


def _into_the_toolbar(page: Page) -> str:
    """Tabs from the title until a toolbar button has the focus; returns its data-tool."""
    page.locator("#doc-title").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        focused = _focus(page)
        if page.evaluate("() => document.activeElement?.closest('#toolbar') !== null"):
            return focused
    raise AssertionError(f"ten Tabs from the title never reached the toolbar (at {focused})")


def _enabled_tools(toolbar: Locator) -> list[str]:
    return toolbar.locator("button:enabled").evaluate_all("(all) => all.map((b) => b.dataset.tool)")


def test_the_toolbar_is_one_tab_stop(server, browsers, users):
    a = _open(server, browsers, users, "Text")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")

    first = _into_the_toolbar(a.page)
    assert first == _enabled_tools(toolbar)[0]
    expect(toolbar.locator('button[tabindex="0"]')).to_have_count(1)

    a.page.keyboard.press("Tab")
    assert _focus(a.page) == "editor"
    # Shift-Tab outdents in the document: Alt+F10 goes back to the toolbar, Escape leaves it.
    a.page.keyboard.press("Alt+F10")
    assert _focus(a.page) == first
    a.page.keyboard.press("Escape")
    assert _focus(a.page) == "editor"
    a.page.keyboard.press("Alt+F10")
    a.page.keyboard.press("Shift+Tab")
    assert a.page.evaluate("() => document.activeElement?.closest('#toolbar') === null")


def test_arrow_keys_home_and_end_move_along_the_toolbar(server, browsers, users):
    a = _open(server, browsers, users, "Text")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")
    tools = _enabled_tools(toolbar)
    first = _into_the_toolbar(a.page)

    a.page.keyboard.press("ArrowRight")
    assert _focus(a.page) == tools[1]
    expect(toolbar.locator('button[tabindex="0"]')).to_have_attribute("data-tool", tools[1])
    expect(toolbar.locator(f'[data-tool="{first}"]')).to_have_attribute("tabindex", "-1")
    a.page.keyboard.press("ArrowLeft")
    assert _focus(a.page) == first
    a.page.keyboard.press("End")
    assert _focus(a.page) == tools[-1]
    a.page.keyboard.press("ArrowRight")  # wraps around
    assert _focus(a.page) == first
    a.page.keyboard.press("ArrowLeft")
    assert _focus(a.page) == tools[-1]
    a.page.keyboard.press("Home")
    assert _focus(a.page) == first

    # The toolbar remembers its button: leaving and coming back lands on it.
    a.page.keyboard.press("ArrowRight")
    a.page.keyboard.press("Tab")
    a.page.keyboard.press("Alt+F10")
    assert _focus(a.page) == tools[1]


# --------------------------------------------------------------------------------------------
# Shortcuts


def _select_word(a: EditorPage, word: str) -> None:
    a.click_end()
    for _ in word:
        a.page.keyboard.press("Shift+ArrowLeft")
    a.page.wait_for_function(
        "(word) => { const { state } = window.docsEditor.editor; const { from, to } = "
        "state.selection; return state.doc.textBetween(from, to) === word }",
        arg=word,
    )


def test_alt_shift_5_strikes_through(server, browsers, users):
    a = _open(server, browsers, users, "Keep this gone")
    _select_word(a, "gone")

    a.page.keyboard.press("Alt+Shift+5")

    expect(a.editor.locator("s")).to_have_text("gone")
    a.type("x")  # the shortcut typed nothing: the selection is replaced as usual
    expect(a.editor.locator("s")).to_have_text("x")


def test_ctrl_backslash_clears_text_formatting(server, browsers, users):
    a = _open(
        server, browsers, users, "Plain **bold *both*** [link](https://example.com/)", "markdown"
    )
    expect(a.editor.locator("strong")).to_have_text("bold both")
    a.editor.click()
    a.page.keyboard.press("Control+a")

    a.page.keyboard.press("Control+\\")

    expect(a.editor.locator("strong, em")).to_have_count(0)
    a.wait_text("Plain bold both link")
    # Links are no text formatting: they stay.
    expect(a.editor.locator('a[href="https://example.com/"]')).to_have_text("link")

"""Find and replace (Ctrl-F, Ctrl-H) and the word count (Ctrl-Shift-C): matches are highlighted
by the page alone, replace all is one undo step that the other browser sees, a remote edit
updates the matches, and readers can find but not replace."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.conftest import EditorPage
from e2e.shared_document import open_shared

TEXT = "The cat sat. A Cat and a concatenation.\nbold word"

# The text of the editor's selection, once ProseMirror's state has it.
SELECTED_JS = (
    "(text) => { const { state } = window.docsEditor.editor; const { from, to } = "
    "state.selection; return state.doc.textBetween(from, to) === text }"
)


def _find_bar(page: EditorPage):
    return page.page.get_by_role("search", name="Find and replace")


def _count(page: EditorPage):
    return _find_bar(page).get_by_role("status")


def test_find_steps_through_matches_with_case_and_whole_word(server, browsers, users):
    a, _b, violations = open_shared(server, browsers, users, "Find", TEXT)
    a.editor.click()
    a.caret_to_start()
    a.page.keyboard.press("Control+f")
    field = a.page.get_by_label("Find in document")
    expect(field).to_be_focused()
    expect(a.page.get_by_label("Replace with")).to_be_hidden()
    field.press_sequentially("cat")
    expect(_count(a)).to_have_text("1 of 3")
    expect(a.editor.locator(".find-match")).to_have_count(3)
    expect(a.editor.locator(".find-current")).to_have_text("cat")

    field.press("Enter")
    expect(_count(a)).to_have_text("2 of 3")
    expect(a.editor.locator(".find-current")).to_have_text("Cat")
    a.page.wait_for_function(SELECTED_JS, arg="Cat")
    field.press("Enter")
    expect(_count(a)).to_have_text("3 of 3")
    field.press("Enter")
    expect(_count(a)).to_have_text("1 of 3")  # round to the first
    field.press("Shift+Enter")
    expect(_count(a)).to_have_text("3 of 3")
    _find_bar(a).get_by_role("button", name="Previous match").click()
    expect(_count(a)).to_have_text("2 of 3")

    match_case = _find_bar(a).get_by_label("Match case")
    whole_word = _find_bar(a).get_by_label("Whole word")
    match_case.check()
    # The current match is the first one from the selection ("Cat") on: concatenation's.
    expect(_count(a)).to_have_text("2 of 2")
    whole_word.check()
    expect(_count(a)).to_have_text("1 of 1")
    match_case.uncheck()
    expect(_count(a)).to_have_text("2 of 2")  # "cat" and "Cat"
    whole_word.uncheck()

    # Across marks within a paragraph, never across paragraphs.
    a.page.keyboard.press("Escape")
    expect(_find_bar(a)).to_be_hidden()
    expect(a.editor).to_be_focused()
    expect(a.editor.locator(".find-match")).to_have_count(0)
    a.select_text("ld")
    a.page.keyboard.press("Control+b")
    expect(a.editor.locator("strong")).to_have_text("ld")
    a.page.keyboard.press("Control+f")
    field.fill("bold word")
    expect(_count(a)).to_have_text("1 of 1")
    expect(a.editor.locator(".find-current")).to_have_text(["bo", "ld", " word"])
    field.fill("concatenation.bold")
    expect(_count(a)).to_have_text("No results")
    violations.assert_none(a.page)


def test_replace_and_replace_all_reach_the_other_browser_and_undo_at_once(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Replace", TEXT)
    a.editor.click()
    a.caret_to_start()
    a.page.keyboard.press("Control+h")
    field = a.page.get_by_label("Find in document")
    replacement = a.page.get_by_label("Replace with")
    expect(replacement).to_be_visible()
    field.press_sequentially("cat")
    expect(_count(a)).to_have_text("1 of 3")
    replacement.fill("cow")
    _find_bar(a).get_by_role("button", name="Replace", exact=True).click()
    # The first match replaced, the next one is current.
    expect(_count(a)).to_have_text("1 of 2")
    expect(a.editor.locator(".find-current")).to_have_text("Cat")
    b.wait_text("The cow sat. A Cat and a concatenation.\nbold word")

    replacement.fill("dog")
    _find_bar(a).get_by_role("button", name="Replace all").click()
    expect(_count(a)).to_have_text("No results")
    replaced = "The cow sat. A dog and a condogenation.\nbold word"
    a.wait_text(replaced)
    b.wait_text(replaced)

    a.page.keyboard.press("Escape")
    expect(a.editor).to_be_focused()
    a.page.keyboard.press("Control+z")  # one step undoes every replacement of "Replace all"
    b.wait_text("The cow sat. A Cat and a concatenation.\nbold word")
    a.wait_text("The cow sat. A Cat and a concatenation.\nbold word")
    violations.assert_none(a.page)


def test_a_remote_edit_updates_the_matches_and_readers_cannot_replace(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Find", TEXT, role="viewer")
    b.editor.click()
    b.page.keyboard.press("Control+h")  # a reader gets the find row only
    field = b.page.get_by_label("Find in document")
    expect(field).to_be_focused()
    expect(b.page.get_by_label("Replace with")).to_be_hidden()
    expect(_find_bar(b).get_by_role("button", name="Replace all")).to_be_hidden()
    field.press_sequentially("word")
    expect(_count(b)).to_have_text("1 of 1")

    a.click_end()
    a.type(" and another word")
    expect(_count(b)).to_have_text("1 of 2")
    expect(b.editor.locator(".find-match")).to_have_count(2)
    field.press("Enter")
    expect(_count(b)).to_have_text("2 of 2")
    b.page.keyboard.press("Escape")
    expect(_find_bar(b)).to_be_hidden()
    violations.assert_none(a.page)


def _figure(page: EditorPage, row: str, of: str):
    return page.page.locator(f'dialog .word-count tr[data-count="{row}"] td[data-of="{of}"]')


def test_word_count_of_the_document_and_the_selection(server, browsers, users):
    a, _b, violations = open_shared(
        server, browsers, users, "Count", "Hello wonderful world\nnaïve café, ok?"
    )
    a.select_text("wonderful world")
    a.page.keyboard.press("Control+Shift+c")
    dialog = a.page.locator("dialog[open]", has_text="Word count")
    expect(dialog).to_be_visible()
    for row, document, selection in (
        ("words", "6", "2"),
        ("characters", "36", "15"),
        ("charactersWithoutSpaces", "32", "14"),
    ):
        expect(_figure(a, row, "document")).to_have_text(document)
        expect(_figure(a, row, "selection")).to_have_text(selection)
    a.page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(a.editor).to_be_focused()

    a.caret_to_end()  # no selection: the document's figures only
    a.page.keyboard.press("Control+Shift+c")
    expect(_figure(a, "words", "document")).to_have_text("6")
    expect(a.page.locator('dialog td[data-of="selection"]')).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    violations.assert_none(a.page)


def test_the_next_match_is_scrolled_into_view(server, browsers, users):
    filler = "\n".join(f"Line {number} of filler text." for number in range(80))
    a, _b, violations = open_shared(
        server, browsers, users, "Long", f"needle at the top\n{filler}\nneedle at the end"
    )
    a.editor.click()
    a.caret_to_start()
    a.page.keyboard.press("Control+f")
    field = a.page.get_by_label("Find in document")
    field.press_sequentially("needle")
    expect(_count(a)).to_have_text("1 of 2")
    last = a.editor.locator("p", has_text="needle at the end")
    expect(last).not_to_be_in_viewport()
    field.press("Enter")
    expect(_count(a)).to_have_text("2 of 2")
    expect(a.editor.locator(".find-current")).to_be_in_viewport()
    a.page.wait_for_function(SELECTED_JS, arg="needle")
    violations.assert_none(a.page)

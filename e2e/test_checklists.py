"""Checklists in two browsers: made with "[ ] " or Ctrl-Shift-9, ticked by one person and seen
ticked by the other."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.conftest import EditorPage, eventually
from e2e.shared_document import open_shared

# The task items of a page as [text, checked], from the editor's own document (the page's text
# also holds the checkboxes' labels and other people's caret labels).
TASKS_JS = """() => {
  const items = []
  window.docsEditor.editor.state.doc.descendants((node) => {
    if (node.type.name === 'taskItem') items.push([node.firstChild.textContent, node.attrs.checked])
    return true
  })
  return items
}"""


# Both items are in one list.
ONE_LIST_JS = """() => {
  const { doc } = window.docsEditor.editor.state
  return doc.firstChild.type.name === 'taskList' && doc.firstChild.childCount === 2
}"""


def _tasks(page: EditorPage) -> list:
    return page.page.evaluate(TASKS_JS)


def _wait_tasks(page: EditorPage, expected: list) -> None:
    def check() -> None:
        actual = _tasks(page)
        assert actual == expected, f"{page.user.username}'s page: {actual} != {expected}"

    eventually(check)


def test_a_checklist_typed_by_one_is_ticked_by_the_other(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Checklist")
    a.click_end()
    a.type("[ ] buy milk")
    a.page.keyboard.press("Enter")
    a.type("call Bob")

    items = b.editor.locator('li[data-type="taskItem"]')
    _wait_tasks(b, [["buy milk", False], ["call Bob", False]])
    expect(items.nth(0)).to_have_attribute("data-checked", "false")

    b.editor.get_by_role("checkbox").nth(1).check()

    a_items = a.editor.locator('li[data-type="taskItem"]')
    expect(a_items.nth(1)).to_have_attribute("data-checked", "true")
    expect(a.editor.get_by_role("checkbox").nth(1)).to_be_checked()
    expect(a_items.nth(0)).to_have_attribute("data-checked", "false")
    _wait_tasks(a, [["buy milk", False], ["call Bob", True]])

    # And back: Alice unticks it, Bob sees it open again.
    a.editor.get_by_role("checkbox").nth(1).uncheck()
    expect(items.nth(1)).to_have_attribute("data-checked", "false")
    expect(b.editor.get_by_role("checkbox").nth(1)).not_to_be_checked()
    _wait_tasks(b, [["buy milk", False], ["call Bob", False]])


def test_ctrl_shift_9_and_the_toolbar_make_a_checklist(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Checklist", "one\ntwo")
    toolbar = a.page.get_by_role("toolbar", name="Formatting")
    button = toolbar.locator('[data-tool="taskList"]')

    a.select_text("one")
    a.page.keyboard.press("Control+Shift+9")
    _wait_tasks(b, [["one", False]])
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()  # off again
    _wait_tasks(b, [])
    expect(button).to_have_attribute("aria-pressed", "false")

    a.page.keyboard.press("Control+a")
    button.click()
    _wait_tasks(b, [["one", False], ["two", False]])

    # Tab nests the second item under the first, as in other lists.
    a.page.wait_for_function(ONE_LIST_JS)
    a.select_text("two")
    a.page.keyboard.press("ArrowRight")
    a.page.wait_for_function(
        "() => { const { empty, $head } = window.docsEditor.editor.state.selection; "
        "return empty && $head.parent.textContent === 'two' && $head.parentOffset === 3 }"
    )
    a.page.keyboard.press("Tab")
    nested = b.editor.locator('li[data-type="taskItem"] ul[data-type="taskList"] > li')
    expect(nested).to_have_count(1)
    _wait_tasks(b, [["one", False], ["two", False]])
    expect(a.editor).to_be_focused()

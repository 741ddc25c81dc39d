"""Tables in two browsers: inserted from the toolbar, edited together (one adds rows and columns
while the other types in a cell), Tab between cells, merge and split, the header row, deleting
the table, and column widths, all under the page's CSP."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.conftest import EditorPage, eventually
from e2e.shared_document import open_shared

# The table of a page as rows of [tag, text, colspan] per cell, from the editor's own document.
TABLE_JS = """() => {
  const rows = []
  window.docsEditor.editor.state.doc.descendants((node) => {
    if (node.type.name === 'tableRow') {
      const cells = []
      node.forEach((cell) => cells.push([cell.type.name, cell.textContent, cell.attrs.colspan]))
      rows.push(cells)
      return false
    }
    return true
  })
  return rows
}"""


def _table(page: EditorPage) -> list:
    return page.page.evaluate(TABLE_JS)


def _same_table(a: EditorPage, b: EditorPage) -> list:
    table_a, table_b = _table(a), _table(b)
    assert table_a == table_b, f"tables differ:\nA: {table_a}\nB: {table_b}"
    return table_a


def _cell(page: EditorPage, row: int, column: int):
    return page.editor.locator("tr").nth(row).locator("th, td").nth(column)


def test_a_table_is_inserted_and_filled_in_with_tab(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Tables", "Before the table")
    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="table"]').click()
    menu = a.page.get_by_role("toolbar", name="Table")
    expect(menu).to_be_visible()

    # The caret is in the first header cell: Tab goes along the row and on to the next one.
    a.type("Name")
    a.page.keyboard.press("Tab")
    a.type("Role")
    a.page.keyboard.press("Tab")
    a.type("Team")
    a.page.keyboard.press("Tab")
    a.type("Ada")
    expect(b.editor.locator("th")).to_have_count(3)
    # (The text of the editor's document: Alice's caret label is in her cell of Bob's page.)
    assert eventually(lambda: _same_table(a, b))[:2] == [
        [["tableHeader", "Name", 1], ["tableHeader", "Role", 1], ["tableHeader", "Team", 1]],
        [["tableCell", "Ada", 1], ["tableCell", "", 1], ["tableCell", "", 1]],
    ]
    # Tab in the last cell adds a row.
    for _ in range(6):
        a.page.keyboard.press("Tab")
    a.type("Grace")
    expect(b.editor.locator("tr")).to_have_count(4)
    assert eventually(lambda: _same_table(a, b))[3][0] == ["tableCell", "Grace", 1]

    # Out of the table, its menu goes away.
    a.select_text("Before the table")
    expect(menu).to_be_hidden()
    violations.assert_none(a.page)


def test_one_adds_rows_and_columns_while_the_other_types_in_a_cell(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Tables", "Before the table")
    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="table"]').click()
    expect(b.editor.locator("tr")).to_have_count(3)
    menu = a.page.get_by_role("toolbar", name="Table")

    # Bob types in the middle cell while Alice adds a row below and a column to the right of
    # the first cell, each without waiting for the other.
    _cell(b, 1, 1).click()
    b.type("Bob's cell")
    menu.locator('[data-tool="addRowAfter"]').click()
    menu.locator('[data-tool="addColumnAfter"]').click()
    b.type(" and more")

    table = eventually(lambda: _same_table(a, b))
    assert len(table) == 4, table
    assert all(len(row) == 4 for row in table), table
    texts = [text for row in table for _, text, _ in row]
    assert "Bob's cell and more" in texts, table
    assert sum(1 for text in texts if text) == 1, table

    # Alice removes a row and a column of her own, Bob's cell stays.
    _cell(a, 3, 3).click()
    menu.locator('[data-tool="deleteRow"]').click()
    menu.locator('[data-tool="deleteColumn"]').click()
    table = eventually(lambda: _same_table(a, b))
    assert [len(row) for row in table] == [3, 3, 3], table
    assert "Bob's cell and more" in [text for row in table for _, text, _ in row], table
    violations.assert_none(a.page)


def test_merge_split_header_row_and_delete(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Tables", "Before the table")
    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="table"]').click()
    menu = a.page.get_by_role("toolbar", name="Table")
    header = menu.locator('[data-tool="toggleHeaderRow"]')
    expect(header).to_have_attribute("aria-pressed", "true")

    # Two cells of the second row selected by dragging from one to the other: merged.
    _cell(a, 1, 0).click()
    a.type("left")
    _cell(a, 1, 1).click()
    a.type("right")
    first, second = _cell(a, 1, 0).bounding_box(), _cell(a, 1, 1).bounding_box()
    a.page.mouse.move(first["x"] + 10, first["y"] + first["height"] / 2)
    a.page.mouse.down()
    a.page.mouse.move(second["x"] + 20, second["y"] + second["height"] / 2, steps=5)
    a.page.mouse.up()
    expect(menu.locator('[data-tool="mergeCells"]')).to_be_enabled()
    menu.locator('[data-tool="mergeCells"]').click()
    expect(b.editor.locator("tr").nth(1).locator("td")).to_have_count(2)
    expect(b.editor.locator('td[colspan="2"]')).to_have_count(1)
    row = eventually(lambda: _same_table(a, b))[1]
    assert row[0][2] == 2 and "left" in row[0][1] and "right" in row[0][1], row

    menu.locator('[data-tool="splitCell"]').click()
    expect(b.editor.locator("tr").nth(1).locator("td")).to_have_count(3)
    expect(b.editor.locator('td[colspan="2"]')).to_have_count(0)

    header.click()
    expect(header).to_have_attribute("aria-pressed", "false")
    expect(b.editor.locator("th")).to_have_count(0)
    header.click()
    expect(b.editor.locator("th")).to_have_count(3)
    eventually(lambda: _same_table(a, b))

    menu.locator('[data-tool="deleteTable"]').click()
    expect(b.editor.locator("table")).to_have_count(0)
    expect(menu).to_be_hidden()
    b.wait_text(a.text())
    assert a.text().strip() == "Before the table"
    violations.assert_none(a.page)


def test_column_widths_reach_the_other_browser(server, browsers, users):
    a, b, violations = open_shared(server, browsers, users, "Tables", "Before the table")
    a.click_end()
    a.page.get_by_role("toolbar", name="Formatting").locator('[data-tool="table"]').click()
    expect(b.editor.locator("tr")).to_have_count(3)

    # Dragging the border between the first two columns (the resize handle) sets the width.
    border = _cell(a, 1, 0).bounding_box()
    x, y = border["x"] + border["width"] - 1, border["y"] + border["height"] / 2
    a.page.mouse.move(x - 3, y)
    a.page.mouse.move(x, y)
    expect(a.editor.locator(".column-resize-handle").first).to_be_attached()
    a.page.mouse.down()
    a.page.mouse.move(x + 80, y, steps=8)
    a.page.mouse.up()

    def widths(page: EditorPage) -> list:
        return page.page.evaluate(
            "() => [...document.querySelectorAll('.ProseMirror table col')]"
            ".map((col) => col.style.width)"
        )

    def check() -> list:
        widths_a, widths_b = widths(a), widths(b)
        assert widths_a[0].endswith("px") and widths_a == widths_b, (widths_a, widths_b)
        return widths_a

    found = eventually(check)
    assert float(found[0].removesuffix("px")) > border["width"] + 40, (found, border)
    violations.assert_none(a.page)

"""Dialogs answer the keyboard: Enter does what the primary button does, Escape cancels."""

from playwright.sync_api import Page, expect

from e2e.conftest import EditorPage


def _link_dialog(a: EditorPage) -> None:
    """Opens the link dialog with Ctrl-K at the end of the document, types an address."""
    a.click_end()
    a.page.keyboard.press("Control+k")
    expect(a.page.get_by_role("dialog")).to_be_visible()
    # The address field opens with "https://" selected: typing replaces it.
    a.type("example.com")


def test_enter_in_the_link_dialog_makes_the_link(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Links")
    server.put_content(document, alice, "See ")
    a = browsers.editor(alice, document)

    _link_dialog(a)
    a.page.keyboard.press("Enter")

    expect(a.page.get_by_role("dialog")).to_have_count(0)
    expect(a.editor.locator('a[href="https://example.com"]')).to_have_text("https://example.com")
    a.wait_text("See https://example.com")  # where the caret was
    assert '<a href="https://example.com"' in server.content(document, alice, "html")


def test_escape_in_the_link_dialog_makes_no_link(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Links")
    server.put_content(document, alice, "See ")
    a = browsers.editor(alice, document)

    _link_dialog(a)
    a.page.keyboard.press("Escape")

    expect(a.page.get_by_role("dialog")).to_have_count(0)
    # Back in the document, with nothing inserted.
    expect(a.editor).to_be_focused()
    a.type("more")
    a.wait_text("See more")
    expect(a.editor.locator("a")).to_have_count(0)


def _rename_from_the_list(page: Page, document: str, new_name: str) -> None:
    page.goto("/")
    row = page.locator(f'tr[data-id="{document}"]')
    row.get_by_role("button", name="Rename").click()
    field = page.get_by_role("dialog").get_by_role("textbox", name="New name")
    expect(field).to_be_focused()
    field.press("Control+a")
    page.keyboard.type(new_name)


def test_enter_renames_in_the_list_and_escape_cancels(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Old name")
    page = browsers.context(alice).new_page()
    name = page.locator(f'tr[data-id="{document}"] .doc-name')

    _rename_from_the_list(page, document, "Changed by Escape")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(name).to_have_text("Old name")

    _rename_from_the_list(page, document, "New name by Enter")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(name).to_have_text("New name by Enter")
    assert server.ok("GET", f"/api/documents/{document}/", user=alice)["title"] == (
        "New name by Enter"
    )


def _name_current_version(a: EditorPage, name: str) -> None:
    panel = a.page.locator("#side-panel")
    panel.get_by_role("button", name="Name current version").click()
    field = a.page.get_by_role("dialog").get_by_role("textbox", name="Version name")
    expect(field).to_be_focused()
    field.press("Control+a")
    a.type(name)


def test_enter_names_a_version_and_escape_cancels(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Versions")
    server.put_content(document, alice, "Some text.")
    a = browsers.editor(alice, document)
    a.page.locator('[data-action="history"]').click()
    names = a.page.locator("#side-panel .version-name")
    expect(a.page.locator("#side-panel .panel-message")).to_contain_text("No named versions yet")

    _name_current_version(a, "Not this one")
    a.page.keyboard.press("Escape")
    expect(a.page.get_by_role("dialog")).to_have_count(0)

    _name_current_version(a, "Named by Enter")
    a.page.keyboard.press("Enter")
    expect(a.page.get_by_role("dialog")).to_have_count(0)
    expect(names).to_have_text(["Named by Enter"])
    versions = server.ok("GET", f"/api/documents/{document}/versions/", user=alice)
    versions = versions["results"] if isinstance(versions, dict) else versions
    assert [version["name"] for version in versions] == ["Named by Enter"]

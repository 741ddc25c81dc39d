"""The document list (sign in, create, rename, search, delete) and export/import."""

import re

from playwright.sync_api import expect


def test_document_list_create_rename_search_delete(server, browsers, users):
    alice, bob = users(), users()

    # Sign in through the real sign-in page.
    context = browsers.context(alice, sign_in=False)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill(alice.username)
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account-name")).to_have_text(alice.name)

    # Create: a blank document opens in the editor.
    page.locator('[data-action="create"]').click()
    expect(page).to_have_url(re.compile(r"/documents/[0-9a-f-]{36}/$"))
    document = re.search(r"/documents/([0-9a-f-]{36})/", page.url).group(1)
    expect(page.locator("#doc-title")).to_have_value("Untitled document")
    other = server.create_document(alice, "Quarterly budget")

    # Rename from the list.
    page.goto("/")
    row = page.locator(f'tr[data-id="{document}"]')
    expect(row.locator(".doc-name")).to_have_text("Untitled document")
    row.get_by_role("button", name="Rename").click()
    prompt = page.get_by_role("dialog")
    prompt.get_by_role("textbox", name="New name").fill("Zebra migration notes")
    prompt.get_by_role("button", name="Rename").click()
    expect(row.locator(".doc-name")).to_have_text("Zebra migration notes")
    assert server.ok("GET", f"/api/documents/{document}/", user=alice)["title"] == (
        "Zebra migration notes"
    )

    # Search.
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#search").fill("zebra")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", document)
    page.locator("#search").fill("budget")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", other)
    page.locator("#search").fill("no such words")
    expect(page.get_by_role("heading", name="No matching documents")).to_be_visible()
    page.locator("#search").fill("")
    expect(rows).to_have_count(2)

    # Bob has the document open while Alice deletes it.
    server.share(document, alice, bob)
    b = browsers.editor(bob, document)
    row.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_contain_text("Zebra migration notes")
    confirm.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    expect(rows).to_have_count(1)

    expect(b.banner).to_be_visible()
    expect(b.banner).to_contain_text("This document is no longer available")
    expect(b.banner).to_have_attribute("data-code", "4404")
    expect(b.connection).to_have_text("Disconnected")
    status, _ = server.call("GET", f"/api/documents/{document}/", user=alice)
    assert status == 404
    page.goto(f"/documents/{document}/")
    expect(page.get_by_role("heading", name="This document isn’t available")).to_be_visible()


def test_markdown_export_and_import(server, browsers, users, tmp_path):
    alice, bob = users(), users()
    document = server.create_document(alice, "Export check")
    server.share(document, alice, bob)
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    page = a.page

    # A formatted document, typed in the editor.
    a.click_end()
    page.locator('[data-tool="heading2"]').click()
    a.type("Export check")
    page.keyboard.press("Enter")
    a.type("Some ")
    page.keyboard.press("Control+b")
    a.type("bold")
    page.keyboard.press("Control+b")
    a.type(" and ")
    page.keyboard.press("Control+i")
    a.type("italic")
    page.keyboard.press("Control+i")
    a.type(" text.")
    page.keyboard.press("Enter")
    page.locator('[data-tool="orderedList"]').click()
    a.type("one")
    page.keyboard.press("Enter")
    a.type("two")
    b.wait_text("Export check\nSome bold and italic text.\none\ntwo\n")
    a.wait_saved()
    expected = "## Export check\n\nSome **bold** and *italic* text.\n\n1. one\n2. two\n"

    # Export as Markdown: a download of the server's rendering.
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name="Markdown (.md)").click()
    download = download_info.value
    assert download.suggested_filename == "Export check.md"
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)
    markdown = exported.read_text(encoding="utf-8")
    assert markdown == server.content(document, alice, "markdown")
    assert markdown == expected

    # Import it from Bob's list: a new document with equal content opens.
    list_page = b.page.context.new_page()
    list_page.goto("/")
    with list_page.expect_file_chooser() as chooser_info:
        list_page.locator('[data-action="import"]').click()
    chooser_info.value.set_files(exported)
    expect(list_page).to_have_url(re.compile(r"/documents/[0-9a-f-]{36}/$"))
    imported = re.search(r"/documents/([0-9a-f-]{36})/", list_page.url).group(1)
    assert imported != document
    # (The list opens documents without ?test=1: look at the page itself.)
    editor = list_page.locator(".ProseMirror")
    expect(editor.locator("h2")).to_have_text("Export check")
    expect(editor.locator("p strong")).to_have_text("bold")
    expect(editor.locator("p em")).to_have_text("italic")
    expect(editor.locator("ol > li")).to_have_text(["one", "two"])
    expect(list_page.locator("#doc-title")).to_have_value("Export check")
    assert server.content(imported, bob, "markdown") == markdown
    assert server.content(imported, bob, "json") == server.content(document, alice, "json")
    details = server.ok("GET", f"/api/documents/{imported}/", user=bob)
    assert details["role"] == "owner"


def test_the_list_finds_words_inside_documents_and_shows_where(server, browsers, users):
    alice, bob = users(), users()
    shared = server.create_document(alice, "Trip")
    private = server.create_document(alice, "Diary")
    server.put_content(shared, alice, "Pack the snorkel and the sun cream.")
    server.put_content(private, alice, "I lost my snorkel again.")
    server.share(shared, alice, bob, role="viewer")

    page = browsers.context(bob).new_page()
    page.goto("/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    page.locator("#search").fill("snork")
    expect(rows).to_have_count(1)  # Alice's diary is not his to search
    expect(rows.first).to_have_attribute("data-id", shared)
    expect(rows.first.locator(".doc-snippet")).to_contain_text("Pack the snorkel and the sun cream")
    page.locator("#search").fill("trip")  # a title hit shows no snippet
    expect(rows.first.locator(".doc-name")).to_have_text("Trip")
    expect(rows.first.locator(".doc-snippet")).to_have_count(0)

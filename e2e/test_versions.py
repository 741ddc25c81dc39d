"""Version history: name a version, change the document, restore the version."""

from playwright.sync_api import expect


def test_restore_a_named_version(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Versions")
    server.share(document, alice, bob)
    server.put_content(document, alice, "First draft of the plan.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    page = a.page

    # Name the current state in the history panel.
    page.locator('[data-action="history"]').click()
    panel = page.locator("#side-panel")
    expect(panel.get_by_role("heading", name="Version history")).to_be_visible()
    panel.get_by_role("button", name="Name current version").click()
    prompt = page.get_by_role("dialog")
    prompt.get_by_role("textbox", name="Version name").fill("Draft one")
    prompt.get_by_role("button", name="Save version").click()
    expect(prompt).to_have_count(0)
    expect(panel.locator(".version-name")).to_have_text(["Draft one"])

    # Then the document changes completely.
    a.editor.click()
    page.keyboard.press("Control+a")
    a.type("Rewritten from scratch.")
    b.wait_text("Rewritten from scratch.")
    a.wait_saved()

    # Restore "Draft one" from its preview.
    panel.locator(".version-open", has_text="Draft one").click()
    preview = panel.locator(".version-preview")
    expect(preview.locator(".version-content")).to_have_text("First draft of the plan.")
    preview.get_by_role("button", name="Restore this version").click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_contain_text("Restore this version?")
    confirm.get_by_role("button", name="Restore").click()

    b.wait_text("First draft of the plan.")
    a.wait_text("First draft of the plan.")
    assert server.content(document, bob) == "First draft of the plan."
    # The state before the restore was kept as a version of its own.
    expect(panel.locator(".version-name")).to_have_text(
        ["Before restoring “Draft one”", "Draft one"]
    )
    versions = server.ok("GET", f"/api/documents/{document}/versions/", user=bob)
    versions = versions["results"] if isinstance(versions, dict) else versions
    before = next(v for v in versions if v["name"] == "Before restoring “Draft one”")
    kept = server.ok(
        "GET", f"/api/documents/{document}/versions/{before['id']}/?format=text", user=bob
    )
    assert kept["content"] == "Rewritten from scratch."

    # Bob keeps typing on the restored text.
    b.click_end()
    b.type(" Bob adds.")
    a.wait_text("First draft of the plan. Bob adds.")

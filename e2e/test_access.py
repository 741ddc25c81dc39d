"""Roles in the browser, and REST edits reaching open pages."""

import time

from playwright.sync_api import expect

from e2e.conftest import eventually


def test_viewer_follows_but_cannot_edit_and_is_removed(server, browsers, users):
    owner, viewer = users(), users()
    document = server.create_document(owner, "Roles")
    server.share(document, owner, viewer, "viewer")
    server.put_content(document, owner, "Owner's text.")
    a = browsers.editor(owner, document)
    v = browsers.editor(viewer, document)

    expect(v.page.locator("#view-only-badge")).to_have_text("View only")
    expect(v.save_status).to_have_text("Read only")
    expect(v.editor).to_have_attribute("contenteditable", "false")
    expect(v.page.locator('[data-tool="bold"]')).to_be_disabled()
    expect(v.page.locator("#doc-title")).to_have_attribute("readonly", "")

    # Live edits reach the viewer.
    a.click_end()
    a.type(" Live edit.")
    v.wait_text("Owner's text. Live edit.")

    # Typing does nothing in a read-only editor.
    v.editor.click()
    v.page.keyboard.type("HACK")
    # A client that goes around the editor and changes the shared document itself: the server
    # must refuse the update (it reaches neither the owner nor the stored document), and the
    # page drops its forged copy and reloads what the server holds.
    v.page.evaluate(
        """() => {
          const paragraph = window.docsEditor.collab.fragment.get(0)
          paragraph.get(0).insert(0, 'FORGED ')
        }"""
    )
    expect(v.banner).to_contain_text("your last changes were not saved")
    v.page.wait_for_function("() => window.docsEditor !== undefined")
    v.wait_online()
    v.wait_text("Owner's text. Live edit.")
    a.type(" Second edit.")
    v.wait_contains("Second edit.")
    a.wait_saved()
    a.wait_text("Owner's text. Live edit. Second edit.")
    stored = server.content(document, owner)
    assert stored == "Owner's text. Live edit. Second edit."
    assert "HACK" not in v.text() and "FORGED" not in v.text()

    # The owner removes the viewer in the Share dialog: the viewer's page closes the document.
    a.page.locator('[data-action="share"]').click()
    dialog = a.page.get_by_role("dialog")
    member = dialog.locator(f'li.member[data-username="{viewer.username}"]')
    expect(member).to_contain_text(viewer.name)
    member.get_by_role("button", name=f"Remove {viewer.name}").click()
    expect(member).to_have_count(0)

    expect(v.banner).to_be_visible()
    expect(v.banner).to_contain_text("Your access was removed")
    expect(v.banner).to_have_attribute("data-code", "4403")
    expect(v.banner.get_by_role("link", name="Back to documents")).to_be_visible()
    expect(v.connection).to_have_text("Disconnected")
    expect(v.editor).to_have_attribute("contenteditable", "false")
    status, _ = server.call("GET", f"/api/documents/{document}/", user=viewer)
    assert status == 404
    # Reloading now shows the "not available" page.
    v.page.reload()
    expect(v.page.get_by_role("heading", name="This document isn’t available")).to_be_visible()


def test_a_member_made_a_commenter_follows_live_and_is_seen_but_cannot_edit(
    server, browsers, users
):
    owner, bob = users(), users()
    document = server.create_document(owner, "Comment only")
    server.share(document, owner, bob, "editor")
    server.put_content(document, owner, "Owner's text.")
    a = browsers.editor(owner, document)
    b = browsers.editor(bob, document)
    expect(b.editor).to_have_attribute("contenteditable", "true")

    a.page.locator('[data-action="share"]').click()
    dialog = a.page.get_by_role("dialog")
    dialog.get_by_role("combobox", name=f"Role of {bob.name}").select_option(label="Can comment")
    expect(a.page.locator(".toast")).to_contain_text(f"{bob.name} can now comment")
    dialog.get_by_role("button", name="Close").click()

    expect(b.banner).to_contain_text("You can now only comment on this document.")
    expect(b.page.locator("#view-only-badge")).to_have_text("Comment only")
    expect(b.editor).to_have_attribute("contenteditable", "false")
    expect(b.page.locator('[data-tool="bold"]')).to_be_disabled()
    # Still in the session: the owner sees Bob there, and Bob sees the owner's typing.
    expect(a.page.locator(f'#presence .presence-avatar[data-name="{bob.name}"]')).to_be_visible()
    a.click_end()
    a.type(" Live edit.")
    b.wait_text("Owner's text. Live edit.")
    b.editor.click()
    b.page.keyboard.type("HACK")
    a.wait_saved()
    assert server.content(document, owner) == "Owner's text. Live edit."

    # The role holds after a reload, and the list says it too.
    b.page.reload()
    expect(b.page.locator("#view-only-badge")).to_have_text("Comment only")
    expect(b.editor).to_have_attribute("contenteditable", "false")
    b.page.goto("/")
    row = b.page.locator(f'tr[data-id="{document}"]')
    expect(row.locator(".cell-access")).to_have_text("Can comment")


def test_rest_put_appears_in_open_pages_within_a_second(server, browsers, users):
    alice, bob, robot = users(), users(), users()
    document = server.create_document(alice, "REST")
    server.share(document, alice, bob)
    server.share(document, alice, robot)
    server.put_content(document, alice, "Old text typed by hand.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    a.wait_text("Old text typed by hand.")
    b.wait_text("Old text typed by hand.")

    markdown = "# From the API\n\nWritten by a **script**."
    response = server.put_content(document, robot, markdown, "markdown")
    deadline = time.monotonic() + 1.0
    assert response["content"].strip() == markdown
    expected = "From the API\nWritten by a script."
    for page in (a, b):
        remaining_ms = max(0, (deadline - time.monotonic()) * 1000)
        page.wait_text(expected, timeout=int(remaining_ms))
    for page in (a, b):
        expect(page.editor.locator("h1")).to_have_text("From the API")
        expect(page.editor.locator("strong")).to_have_text("script")
    assert server.content(document, alice, "markdown").strip() == markdown
    # The pages keep editing on top of it.
    b.click_end()
    b.type(" Then by hand.")
    a.wait_text(expected + " Then by hand.")
    eventually(lambda: _equal(server.content(document, alice), expected + " Then by hand."))


def _equal(actual, expected) -> None:
    assert actual == expected, f"{actual!r} != {expected!r}"

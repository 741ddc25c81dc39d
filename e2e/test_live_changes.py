"""Changes made elsewhere that open editors follow at once: roles, titles, server-side edits."""

import time

from playwright.sync_api import expect

from e2e.conftest import eventually

LOCKED_JS = """() => document.querySelector('.ProseMirror').contentEditable === 'false'
  && !!document.querySelector('#view-only-badge:not([hidden])')
  && document.querySelector('[data-tool="bold"]').disabled"""

UNLOCKED_JS = """() => document.querySelector('.ProseMirror').contentEditable === 'true'
  && !document.querySelector('#view-only-badge:not([hidden])')"""


def set_role(server, document, owner, member, role: str) -> None:
    server.ok(
        "PATCH", f"/api/documents/{document}/members/{member.username}/", {"role": role}, owner
    )


def test_a_demotion_locks_the_open_editor_within_a_second(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Roles live")
    server.share(document, alice, bob, "editor")
    server.put_content(document, alice, "Start.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    b.click_end()
    b.type(" By Bob.")
    a.wait_text("Start. By Bob.")
    b.wait_saved()

    started = time.monotonic()
    set_role(server, document, alice, bob, "viewer")
    b.page.wait_for_function(LOCKED_JS, timeout=1_000)
    locked_ms = (time.monotonic() - started) * 1000
    print(f"role change to locked editor: {locked_ms:.0f} ms")
    expect(b.banner).to_contain_text("You can now only view this document.")
    expect(b.save_status).to_have_text("Read only")
    expect(b.page.locator("#doc-title")).to_have_attribute("readonly", "")

    started = time.monotonic()
    set_role(server, document, alice, bob, "editor")
    b.page.wait_for_function(UNLOCKED_JS, timeout=1_000)
    print(f"role change to unlocked editor: {(time.monotonic() - started) * 1000:.0f} ms")
    expect(b.banner).to_contain_text("You can now edit this document.")
    b.click_end()
    b.type(" Again.")
    a.wait_text("Start. By Bob. Again.")


def test_changes_refused_after_a_demotion_are_dropped_and_never_land(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Refused")
    server.share(document, alice, bob, "editor")
    server.put_content(document, alice, "Shared text.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    # Bob types offline; meanwhile he is made a viewer. His reconnect carries the edit, which
    # the server refuses: his page says so and goes back to what the server holds.
    b.go_offline()
    b.click_end()
    b.type(" Typed offline.")
    set_role(server, document, alice, bob, "viewer")
    b.go_online()
    expect(b.banner).to_contain_text(
        "You can now only view this document; your last changes were not saved.", timeout=5_000
    )
    b.wait_online()
    b.wait_text("Shared text.")
    b.page.wait_for_function(LOCKED_JS)
    # The offline copy was reset too: a reload does not bring the refused text back.
    b.page.reload()
    b.page.wait_for_function("() => window.docsEditor !== undefined")
    b.wait_online()
    b.wait_text("Shared text.")

    # Promoted again, nothing of the refused edit lands anywhere.
    set_role(server, document, alice, bob, "editor")
    b.page.wait_for_function(UNLOCKED_JS, timeout=1_000)
    b.click_end()
    b.type(" Later.")
    a.wait_text("Shared text. Later.")
    b.wait_saved()
    eventually(lambda: _equal(server.content(document, alice), "Shared text. Later."))


def test_a_rename_reaches_other_open_pages_within_a_second(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Old name")
    server.share(document, alice, bob, "editor")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    title = a.page.locator("#doc-title")
    title.fill("New name")
    started = time.monotonic()
    title.press("Enter")
    expect(b.page.locator("#doc-title")).to_have_value("New name", timeout=1_500)
    print(f"rename to other page: {(time.monotonic() - started) * 1000:.0f} ms")
    expect(b.page).to_have_title("New name · Docs")


def test_undo_after_a_restore_neither_duplicates_nor_resurrects(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Undo")
    server.share(document, alice, bob, "editor")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    a.click_end()
    a.type("Hello world")
    b.wait_text("Hello world")
    a.wait_saved()
    version = server.ok("POST", f"/api/documents/{document}/versions/", {"name": "v1"}, alice)
    a.page.keyboard.press("Control+a")
    a.type("Replaced")
    b.wait_text("Replaced")
    a.wait_saved()

    server.ok("POST", f"/api/documents/{document}/versions/{version['id']}/restore/", None, alice)
    a.wait_text("Hello world")
    b.wait_text("Hello world")
    expect(a.banner).to_contain_text("Undo starts afresh")
    for page in (a, b):
        page.editor.click()
        page.page.keyboard.press("Control+z")
        page.page.keyboard.press("Control+z")
    a.type("!")
    a.wait_contains("Hello world")
    b.wait_text(a.text())
    assert a.text().count("Hello world") == 1
    assert "Replaced" not in a.text()
    eventually(lambda: _equal(server.content(document, alice), a.text()))


def _equal(actual, expected) -> None:
    assert actual == expected, f"{actual!r} != {expected!r}"

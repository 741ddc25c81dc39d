"""Changes made elsewhere that open editors follow at once: roles, titles, server-side edits."""

import threading
import time

from playwright.sync_api import WebSocketRoute, expect

from e2e.conftest import RECONNECT_MS, EditorPage, eventually

LOCKED_JS = """() => document.querySelector('.ProseMirror').contentEditable === 'false'
  && !!document.querySelector('#view-only-badge:not([hidden])')
  && document.querySelector('[data-tool="bold"]').disabled"""

UNLOCKED_JS = """() => document.querySelector('.ProseMirror').contentEditable === 'true'
  && !document.querySelector('#view-only-badge:not([hidden])')
  && !document.querySelector('[data-tool="bold"]').disabled"""

REFUSED = "You can now only view this document; your last changes were not saved."


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
    b_elsewhere = browsers.editor(bob, document)  # every open editor of his follows
    b.click_end()
    b.type(" By Bob.")
    a.wait_text("Start. By Bob.")
    b.wait_saved()

    started = time.monotonic()
    set_role(server, document, alice, bob, "viewer")
    for page in (b, b_elsewhere):
        page.page.wait_for_function(LOCKED_JS, timeout=1_000)
    locked_ms = (time.monotonic() - started) * 1000
    print(f"role change to locked editor: {locked_ms:.0f} ms")
    for page in (b, b_elsewhere):
        expect(page.banner).to_contain_text("You can now only view this document.")
        expect(page.save_status).to_have_text("Read only")
        expect(page.page.locator("#doc-title")).to_have_attribute("readonly", "")

    started = time.monotonic()
    set_role(server, document, alice, bob, "editor")
    for page in (b, b_elsewhere):
        page.page.wait_for_function(UNLOCKED_JS, timeout=1_000)
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
    expect(b.banner).to_contain_text(REFUSED, timeout=5_000)
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


def test_typing_through_a_demotion_keeps_nothing_the_server_refused(server, browsers, users):
    """The case as a person meets it: Bob keeps typing while Alice makes him a viewer. What he
    typed after the change is refused; his page says so and shows what the server holds, so
    does this browser's offline copy, and none of it lands when he may edit again."""
    alice, bob = users(), users()
    document = server.create_document(alice, "Typing through")
    server.share(document, alice, bob, "editor")
    server.put_content(document, alice, "Shared.")
    # Bob's sockets go through this switch: at the end his page shows its offline copy alone.
    server_reachable = True

    def websocket(route: WebSocketRoute) -> None:
        if server_reachable:
            route.connect_to_server()
        else:
            route.close()

    context = browsers.context(bob)
    context.route_web_socket(lambda url: "/ws/documents/" in url, websocket)
    a = browsers.editor(alice, document)
    b = EditorPage(context.new_page(), document, bob).open()
    b.click_end()
    b.type(" Before.")
    a.wait_text("Shared. Before.")

    demotion = threading.Thread(target=set_role, args=(server, document, alice, bob, "viewer"))
    demotion.start()
    b.page.keyboard.type(" and on and on" * 4, delay=20)  # he does not stop for the change
    demotion.join()

    expect(b.banner).to_contain_text(REFUSED, timeout=5_000)
    b.wait_online()
    b.page.wait_for_function(LOCKED_JS)
    held = server.content(document, alice)
    assert held.startswith("Shared. Before."), held
    b.wait_text(held)
    a.wait_text(held)

    # The offline copy was brought back to the server's state too: shown without the server.
    eventually(lambda: _at_least(b.stored_update_count(), 1))
    server_reachable = False
    b.page.reload()
    b.page.wait_for_function("() => window.docsEditor?.collab.local?.synced === true")
    assert b.text() == held
    server_reachable = True
    b.wait_online(RECONNECT_MS)

    # An editor again, he writes on from what the server held; nothing refused comes back.
    set_role(server, document, alice, bob, "editor")
    b.page.wait_for_function(UNLOCKED_JS, timeout=1_000)
    b.click_end()
    b.type(" Later.")
    a.wait_text(held + " Later.")
    b.wait_saved()
    eventually(lambda: _equal(server.content(document, alice), held + " Later."))


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
    """The steps of the report, in Alice's page: type, name a version, replace the text,
    restore the version, Ctrl-Z. Bob's page, open all along, undoes too."""
    alice, bob = users(), users()
    document = server.create_document(alice, "Undo")
    server.share(document, alice, bob, "editor")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    a.click_end()
    a.type("Hello world")
    b.wait_text("Hello world")
    a.wait_saved()
    a.page.locator('[data-action="history"]').click()
    panel = a.page.locator("#side-panel")
    panel.get_by_role("button", name="Name current version").click()
    a.page.get_by_role("dialog").get_by_role("textbox", name="Version name").fill("v1")
    a.page.keyboard.press("Enter")
    expect(panel.locator(".version-name")).to_have_text(["v1"])
    a.editor.click()
    a.page.keyboard.press("Control+a")
    a.type("Replaced")
    b.wait_text("Replaced")
    a.wait_saved()

    panel.locator(".version-open", has_text="v1").click()
    panel.get_by_role("button", name="Restore this version").click()
    a.page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True).click()
    a.wait_text("Hello world")
    b.wait_text("Hello world")
    expect(a.banner).to_contain_text("Undo starts afresh")
    _undo_changes_nothing(server, a, b, "Hello world")


def test_undo_after_a_rest_put_neither_duplicates_nor_resurrects(server, browsers, users):
    """A REST client replaces the text Alice wrote: her Ctrl-Z must not bring hers back."""
    alice, bob = users(), users()
    document = server.create_document(alice, "Undo after a PUT")
    server.share(document, alice, bob, "editor")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    a.click_end()
    a.type("Hello world")
    b.wait_text("Hello world")
    # A pause, as a person makes: past the undo manager's 500 ms, the replacement is an undo
    # step of its own (one step would take back the typing with it, resurrecting nothing).
    a.page.wait_for_timeout(600)
    a.page.keyboard.press("Control+a")
    a.type("Replaced")
    b.wait_text("Replaced")
    a.wait_saved()

    server.put_content(document, bob, "From the API")
    a.wait_text("From the API")
    b.wait_text("From the API")
    expect(a.banner).to_contain_text("Undo starts afresh")
    _undo_changes_nothing(server, a, b, "From the API")


def _undo_changes_nothing(server, a: EditorPage, b: EditorPage, expected: str) -> None:
    """Ctrl-Z, twice, in both pages leaves the text as the server made it; then Alice types on
    and both pages and the server agree."""
    for page in (a, b):
        page.editor.click()
        for _ in range(2):
            page.page.keyboard.press("Control+z")
            assert page.text() == expected, f"{page.user.username} undid into {page.text()!r}"
    a.type("!")
    a.wait_contains("!")
    b.wait_text(a.text())
    eventually(lambda: _equal(server.content(a.document_id, a.user), a.text()))


def _equal(actual, expected) -> None:
    assert actual == expected, f"{actual!r} != {expected!r}"


def _at_least(actual: int, minimum: int) -> None:
    assert actual >= minimum, f"{actual} < {minimum}"

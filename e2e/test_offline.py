"""Losing the connection: offline editing, a reload while offline, a server restart."""

import contextlib
import signal

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from e2e.conftest import RECONNECT_MS, EditorPage, eventually


def test_offline_edits_merge_when_back_online(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Offline")
    server.share(document, alice, bob)
    server.put_content(document, alice, "Shared base.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    a.wait_saved()

    a.go_offline()
    a.click_end()
    a.type(" Alpha typed offline.")
    expect(a.save_status).to_have_text("Unsaved changes")
    b.click_end()
    b.type(" Bravo typed online.")
    b.wait_saved()
    # Bob's edit is stored; Alice's is not anywhere but in her browser.
    stored = server.content(document, bob)
    assert "Bravo typed online." in stored
    assert "Alpha" not in stored
    assert "Alpha" not in b.text()
    assert "Bravo" not in a.text()
    expect(a.connection).to_have_text("Offline — changes will sync")

    a.go_online()
    a.wait_saved(RECONNECT_MS)
    final = a.wait_contains("Alpha typed offline.", "Bravo typed online.")
    b.wait_text(final)
    # Typed at the same place concurrently: one run after the other, in either order.
    assert final in {
        "Shared base. Alpha typed offline. Bravo typed online.",
        "Shared base. Bravo typed online. Alpha typed offline.",
    }, final
    assert server.content(document, alice) == final
    expect(a.connection).to_have_text("Online")
    expect(a.save_status).to_have_text("All changes saved")


def test_reload_while_offline_keeps_unsent_edits(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Reload offline")
    server.share(document, alice, bob)
    server.put_content(document, alice, "Before the outage.")
    # Alice's WebSockets go through this switch: Chromium's offline emulation now and then lets
    # a handshake through around a reload, which a real outage never does. (Playwright routes
    # the sockets of documents created after this call, so it comes before the page opens.)
    server_reachable = True

    def websocket(route) -> None:
        if server_reachable:
            route.connect_to_server()
        else:
            route.close()

    context = browsers.context(alice)
    context.route_web_socket(lambda url: "/ws/documents/" in url, websocket)
    a = EditorPage(context.new_page(), document, alice).open()
    b = browsers.editor(bob, document)
    server_reachable = False
    a.go_offline()
    stored_before = a.stored_update_count()
    a.click_end()
    unsent = " Kept in this browser."
    a.type(unsent)
    a.wait_text("Before the outage." + unsent)
    # Every keystroke is one Yjs update, written to IndexedDB as it happens.
    eventually(lambda: _at_least(a.stored_update_count(), stored_before + len(unsent)))

    with contextlib.suppress(PlaywrightError):
        a.page.reload()  # offline: normally the browser's error page
    # The network is back for pages, not yet for the live connection: the page shows the text
    # from this browser's copy alone; nobody else has it.
    a.page.context.set_offline(False)
    a.page.goto(a.url)
    a.page.wait_for_function("() => window.docsEditor !== undefined")
    a.wait_text("Before the outage." + unsent)
    assert server.content(document, bob) == "Before the outage."
    assert b.text() == "Before the outage."

    server_reachable = True
    a.wait_online(RECONNECT_MS)
    a.wait_saved()
    b.wait_text("Before the outage." + unsent)
    assert server.content(document, bob) == "Before the outage." + unsent


def _at_least(actual: int, minimum: int) -> None:
    assert actual >= minimum, f"{actual} < {minimum}"


def test_pages_survive_a_server_restart(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Restart")
    server.share(document, alice, bob)
    server.put_content(document, alice, "Start.")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    a.click_end()
    a.type(" Alice one.")
    b.wait_text("Start. Alice one.")
    b.click_end()
    b.type(" Bob one.")
    a.wait_text("Start. Alice one. Bob one.")
    a.wait_saved()
    b.wait_saved()
    # The last words go in just before the crash: perhaps not stored, perhaps not even sent.
    # (Bob writes at the start and Alice at the end, so that their words cannot interleave.)
    a.caret_to_end()
    a.type(" Alice two.")
    b.caret_to_start()
    b.type("Bob two. ")
    daphne = server.daphne
    daphne.stop(signal.SIGKILL)
    try:
        expect(a.connection).to_have_text("Offline — changes will sync")
        expect(b.connection).to_have_text("Offline — changes will sync")
        a.caret_to_end()
        a.type(" Alice offline.")
    finally:
        daphne.start()

    a.wait_online(RECONNECT_MS)
    b.wait_online(RECONNECT_MS)
    expected = "Bob two. Start. Alice one. Bob one. Alice two. Alice offline."
    a.wait_text(expected)
    b.wait_text(expected)
    a.wait_saved()
    b.wait_saved()
    assert server.content(document, alice) == expected

    # They carry on as before.
    b.caret_to_end()
    b.type(" After restart.")
    a.wait_text(expected + " After restart.")
    b.wait_saved()
    assert server.content(document, alice) == expected + " After restart."

"""Comments in two browsers: threads on a passage, live in the other browser, replies with
mentions picked from the document's members, the bell, resolving, the highlights and the cards
that open each other, what a viewer may do, threads whose text was deleted, and the keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from e2e.conftest import EditorPage
from e2e.shared_document import open_shared

TEXT = "The quick brown fox jumps over the lazy dog.\nA second paragraph, about nothing much."


def has_class(name: str) -> re.Pattern:
    """A class attribute holding `name` (Playwright matches `class` against a pattern)."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def cards(page: EditorPage) -> Locator:
    return page.page.locator("#comments .comment-card[data-thread-id]")


def card_about(page: EditorPage, quote: str) -> Locator:
    return cards(page).filter(has=page.page.locator(".comment-quote", has_text=quote))


def highlight(page: EditorPage, text: str) -> Locator:
    return page.page.locator(".ProseMirror .comment-highlight", has_text=text)


def comment_on(page: EditorPage, passage: str, body: str) -> Locator:
    """Selects `passage`, starts a comment with the toolbar's button and sends `body`."""
    page.select_text(passage)
    button = page.page.locator('#toolbar [data-tool="comment"]')
    expect(button).to_be_enabled()
    button.click()
    composer = page.page.locator("#comments .comment-composer")
    expect(composer.locator(".comment-quote")).to_have_text(passage)
    composer.get_by_label("Comment").fill(body)
    composer.get_by_role("button", name="Comment", exact=True).click()
    expect(composer).to_have_count(0)
    card = card_about(page, passage)
    expect(card.locator(".comment-body").first).to_have_text(body)
    return card


def test_a_thread_reaches_the_other_browser_with_replies_mentions_and_resolving(
    server, browsers, users
):
    a, b, violations = open_shared(server, browsers, users, "Comments", TEXT, role="commenter")
    alice = a.user

    card = comment_on(a, "brown fox", "Is this the right animal?")
    expect(highlight(a, "brown fox")).to_have_count(1)

    # Bob (commenter: the text is read-only for him) sees the passage and the card, live.
    expect(b.editor).to_have_attribute("contenteditable", "false")
    expect(highlight(b, "brown fox")).to_have_count(1)
    bob_card = card_about(b, "brown fox")
    expect(bob_card.locator(".comment-body")).to_have_text("Is this the right animal?")
    expect(bob_card.locator(".comment-author")).to_have_text(alice.name)

    # Bob opens the card, replies and mentions Alice with the picker.
    reply = bob_card.get_by_label("Reply")
    expect(reply).to_be_hidden()
    bob_card.locator(".comment-quote").click()
    expect(bob_card).to_have_class(has_class("is-active"))
    reply.click()
    reply.press_sequentially("Ask @" + alice.username[:4])
    option = b.page.locator(f'.mention-option[data-username="{alice.username}"]')
    expect(option).to_be_visible()
    expect(option).to_contain_text(alice.name)
    reply.press("Enter")
    expect(reply).to_have_value(f"Ask @{alice.username} ")
    reply.press_sequentially("about it.")
    bob_card.get_by_role("button", name="Reply").click()
    expect(reply).to_have_value("")
    bob_reply = bob_card.locator(".comment").nth(1)
    expect(bob_reply.locator(".mention")).to_have_text(f"@{alice.name}")
    expect(bob_reply.locator(".comment-body")).to_have_text(f"Ask @{alice.name} about it.")

    # Alice sees the reply live, the mention as a chip, and her bell tells of it.
    alice_reply = card.locator(".comment").nth(1)
    expect(alice_reply.locator(".comment-body")).to_have_text(f"Ask @{alice.name} about it.")
    expect(alice_reply.locator(".comment-author")).to_have_text(b.user.name)
    expect(a.page.locator(".bell-count")).to_be_visible()
    a.page.locator('[data-action="notifications"]').click()
    item = a.page.locator(".bell-item", has_text=f"{b.user.name} mentioned you")
    expect(item).to_contain_text(f"Ask @{alice.name} about it.")
    # The notification opens its thread.
    a.page.locator(".ProseMirror").get_by_text("A second paragraph").click()
    expect(card).not_to_have_class(has_class("is-active"))
    a.page.locator('[data-action="notifications"]').click()
    item.click()
    expect(card).to_have_class(has_class("is-active"))

    # Alice resolves: the thread leaves Bob's sidebar and text, and comes back under
    # "Show resolved".
    card.get_by_role("button", name="Resolve").click()
    expect(bob_card).to_have_count(0)
    expect(highlight(b, "brown fox")).to_have_count(0)
    expect(card).to_have_count(0)
    b.page.locator('#comments [data-action="show-resolved"]').check()
    expect(bob_card).to_have_count(1)
    expect(bob_card).to_have_attribute("data-status", "resolved")
    expect(bob_card.locator(".comment-resolved")).to_contain_text(f"Resolved by {alice.name}")
    # Bob reopens it: back in Alice's sidebar and text.
    bob_card.get_by_role("button", name="Reopen").click()
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-status", "open")
    expect(highlight(a, "brown fox")).to_have_count(1)
    violations.assert_none(a.page)


def test_a_highlight_opens_its_card_and_a_card_selects_its_highlight(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Clicks", TEXT, role="commenter")
    comment_on(a, "lazy dog", "A dog.")
    comment_on(a, "second paragraph", "A paragraph.")
    dog, paragraph = card_about(b, "lazy dog"), card_about(b, "second paragraph")
    expect(dog).to_have_count(1)
    expect(paragraph).to_have_count(1)
    # In document order, and beside their passages: the second card is lower down.
    assert cards(b).first.get_attribute("data-thread-id") == dog.get_attribute("data-thread-id")
    dog_top = dog.bounding_box()["y"]
    assert paragraph.bounding_box()["y"] > dog_top

    highlight(b, "second paragraph").click()
    expect(paragraph).to_have_class(has_class("is-active"))
    expect(highlight(b, "second paragraph")).to_have_class(has_class("is-active"))
    expect(dog).not_to_have_class(has_class("is-active"))

    dog.locator(".comment-quote").click()
    expect(dog).to_have_class(has_class("is-active"))
    expect(paragraph).not_to_have_class(has_class("is-active"))
    expect(highlight(b, "lazy dog")).to_have_class(has_class("is-active"))
    b.page.wait_for_function(
        "() => { const { state } = window.docsEditor.editor; const { from, to } = "
        "state.selection; return state.doc.textBetween(from, to) === 'lazy dog' }"
    )


def test_a_viewer_reads_threads_but_cannot_comment(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Viewer", TEXT, role="viewer")
    comment_on(a, "quick", "Quick, really?")
    card = card_about(b, "quick")
    expect(card.locator(".comment-body")).to_have_text("Quick, really?")
    expect(highlight(b, "quick")).to_have_count(1)
    expect(card.get_by_label("Reply")).to_be_hidden()
    expect(card.get_by_role("button", name="Resolve")).to_have_count(0)
    expect(card.get_by_role("button", name="Delete")).to_have_count(0)
    b.select_text("lazy")
    expect(b.page.locator('#toolbar [data-tool="comment"]')).to_be_disabled()
    b.page.keyboard.press("Control+Alt+m")
    expect(b.page.locator(".comment-composer")).to_have_count(0)


def test_a_thread_whose_text_is_deleted_shows_its_quote(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Orphans", TEXT, role="editor")
    comment_on(a, "jumps over", "Jumps?")
    expect(card_about(b, "jumps over")).to_have_count(1)

    b.select_text("fox jumps over the")
    b.page.keyboard.press("Delete")
    b.wait_contains("The quick brown  lazy dog.")
    for page in (a, b):
        card = card_about(page, "jumps over")
        expect(card).to_have_class(has_class("is-orphaned"))
        expect(card.locator(".comment-orphaned")).to_have_text("(text deleted)")
        expect(card.locator(".comment-quote-text")).to_have_text("jumps over")
        expect(highlight(page, "jumps")).to_have_count(0)
    # The server agrees once it has the change: a fresh page lists it as orphaned.
    a.page.reload()
    a.page.wait_for_function("() => window.docsEditor !== undefined")
    a.wait_online()
    expect(card_about(a, "jumps over")).to_have_class(has_class("is-orphaned"))


def test_ctrl_alt_m_opens_the_composer_and_escape_closes_it(server, browsers, users):
    alice = users()
    document = server.create_document(alice, "Keyboard")
    server.put_content(document, alice, TEXT)
    a = browsers.editor(alice, document)
    a.wait_text(TEXT)

    a.caret_to_start()
    a.page.keyboard.press("Control+Alt+m")
    expect(a.page.locator(".toast").last).to_have_text("Select some text to comment on")
    expect(a.page.locator(".comment-composer")).to_have_count(0)

    a.select_text("over the lazy")
    a.page.keyboard.press("Control+Alt+m")
    composer = a.page.locator("#comments .comment-composer")
    expect(composer.locator(".comment-quote")).to_have_text("over the lazy")
    box = composer.get_by_label("Comment")
    expect(box).to_be_focused()
    expect(a.page.locator(".ProseMirror .comment-draft")).to_have_text("over the lazy")
    box.press("Escape")
    expect(composer).to_have_count(0)
    expect(a.page.locator(".ProseMirror .comment-draft")).to_have_count(0)
    expect(a.editor).to_be_focused()  # back in the text, the passage still selected

    # Again, and this time sent with Ctrl-Enter.
    a.page.wait_for_function(
        "() => { const { state } = window.docsEditor.editor; const { from, to } = "
        "state.selection; return state.doc.textBetween(from, to) === 'over the lazy' }"
    )
    a.page.keyboard.press("Control+Alt+m")
    composer.get_by_label("Comment").fill("Sent from the keyboard.")
    composer.get_by_label("Comment").press("Control+Enter")
    expect(card_about(a, "over the lazy").locator(".comment-body")).to_have_text(
        "Sent from the keyboard."
    )


def test_an_owner_mentions_someone_without_access_and_shares_with_them(server, browsers, users):
    alice, carol = users(), users()
    document = server.create_document(alice, "Shared by a mention")
    server.put_content(document, alice, TEXT)
    a = browsers.editor(alice, document)
    a.wait_text(TEXT)

    a.select_text("lazy dog")
    a.page.keyboard.press("Control+Alt+m")
    composer = a.page.locator("#comments .comment-composer")
    box = composer.get_by_label("Comment")
    box.press_sequentially(f"Over to @{carol.username}")
    option = a.page.locator(f'.mention-option[data-username="{carol.username}"]')
    expect(option).to_contain_text("not shared yet")
    option.click()
    dialog = a.page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Share with {carol.name} as commenter?")
    dialog.get_by_role("button", name="Share").click()
    expect(box).to_have_value(f"Over to @{carol.username} ")
    composer.get_by_role("button", name="Comment", exact=True).click()

    body = card_about(a, "lazy dog").locator(".comment-body")
    expect(body).to_have_text(f"Over to @{carol.name}")
    expect(body.locator(".mention")).to_have_attribute("data-username", carol.username)
    members = server.ok("GET", f"/api/documents/{document}/members/", user=alice)
    listed = members["results"] if isinstance(members, dict) else members
    assert {"username": carol.username, "role": "commenter"}.items() <= next(
        member for member in listed if member["username"] == carol.username
    ).items()


def test_unread_marks_edits_and_deletes(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Unread", TEXT, role="commenter")
    b.page.close()  # Bob has looked at the comments once, before Alice writes any
    card = comment_on(a, "quick brown", "First thoughts.")

    b = browsers.editor(b.user, a.document_id)
    bob_card = card_about(b, "quick brown")
    expect(bob_card).to_have_class(has_class("is-unread"))
    expect(b.page.locator('[data-action="comments"]')).to_have_class(has_class("has-unread"))
    expect(card).not_to_have_class(has_class("is-unread"))  # her own comment
    bob_card.locator(".comment-quote").click()
    expect(bob_card).not_to_have_class(has_class("is-unread"))

    # Alice edits her comment: Bob's card follows.
    card.locator(".comment-quote").click()
    card.get_by_role("button", name="Edit").click()
    edit = card.get_by_label("Edit comment")
    expect(edit).to_be_focused()
    edit.fill("Second thoughts.")
    card.get_by_role("button", name="Save").click()
    expect(bob_card.locator(".comment-body")).to_have_text("Second thoughts.")
    expect(bob_card.locator(".comment-edited")).to_have_text("(edited)")

    # Bob replies; Alice, the owner, deletes his reply, then her comment and so the thread.
    bob_card.get_by_label("Reply").fill("A reply.")
    bob_card.get_by_role("button", name="Reply").click()
    expect(card.locator(".comment")).to_have_count(2)
    expect(bob_card.locator(".comment").nth(1).get_by_role("button", name="Edit")).to_be_visible()
    card.locator(".comment").nth(1).get_by_role("button", name="Delete").click()
    a.page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(bob_card.locator(".comment")).to_have_count(1)
    card.locator(".comment").first.get_by_role("button", name="Delete").click()
    expect(a.page.get_by_role("dialog")).to_contain_text("Delete this thread?")
    a.page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(bob_card).to_have_count(0)
    expect(card).to_have_count(0)
    expect(highlight(b, "quick brown")).to_have_count(0)

    # Seen on the last visit: nothing is new after a reload.
    comment_on(a, "lazy", "Newer.")
    expect(card_about(b, "lazy")).to_have_class(has_class("is-unread"))
    b.page.reload()
    b.wait_online()
    expect(card_about(b, "lazy")).to_have_count(1)
    expect(card_about(b, "lazy")).not_to_have_class(has_class("is-unread"))


def test_after_a_lost_connection_the_threads_catch_up(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Offline", TEXT, role="editor")
    b.go_offline()
    comment_on(a, "second paragraph", "Written while Bob was away.")
    b.go_online()
    expect(card_about(b, "second paragraph").locator(".comment-body")).to_have_text(
        "Written while Bob was away."
    )
    expect(highlight(b, "second paragraph")).to_have_count(1)


def test_the_context_menu_over_a_selection_starts_a_comment(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Menu", TEXT, role="commenter")
    b.select_text("nothing much")
    b.page.locator(".ProseMirror").get_by_text("A second paragraph").click(button="right")
    item = b.page.get_by_role("menuitem", name="Comment")
    expect(item).to_be_focused()
    item.click()
    composer = b.page.locator("#comments .comment-composer")
    expect(composer.locator(".comment-quote")).to_have_text("nothing much")
    composer.get_by_label("Comment").fill("From the menu.")
    composer.get_by_role("button", name="Comment", exact=True).click()
    expect(card_about(a, "nothing much").locator(".comment-body")).to_have_text("From the menu.")


def test_on_a_phone_the_comments_are_a_panel(server, browsers, users):
    a, b, _ = open_shared(server, browsers, users, "Phone", TEXT, role="commenter")
    comment_on(a, "the lazy dog", "On a small screen.")
    b.page.set_viewport_size({"width": 390, "height": 800})
    expect(highlight(b, "the lazy dog")).to_have_count(1)
    column = b.page.locator("#comments")
    expect(column).to_be_hidden()

    highlight(b, "the lazy dog").click()
    expect(column).to_be_visible()
    expect(card_about(b, "the lazy dog")).to_have_class(has_class("is-active"))
    column.get_by_role("button", name="Close comments").click()
    expect(column).to_be_hidden()
    b.page.locator('[data-action="comments"]').click()
    expect(column).to_be_visible()
    assert column.bounding_box()["width"] <= 390

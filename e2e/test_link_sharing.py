"""Link sharing in the browser: a public link opened signed out, turned off live; asking for
access, the owner's bell telling of it, granting it from the Share dialog, and the bell of the
person let in."""

import re

from playwright.sync_api import expect

from e2e.conftest import Browsers, EditorPage, Server


def open_share(page: EditorPage):
    page.page.locator('[data-action="share"]').click()
    dialog = page.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_a_public_link_opened_by_a_signed_out_browser_follows_live_until_turned_off(
    server: Server, browsers: Browsers, users
):
    alice, nobody = users(), users()
    document = server.create_document(alice, "Public notes")
    server.put_content(document, alice, "For everyone.")
    a = browsers.editor(alice, document)

    dialog = open_share(a)
    dialog.get_by_label("Who can open the link").select_option(label="Anyone with the link")
    expect(a.page.locator(".toast").last).to_contain_text("Anyone with the link")
    dialog.get_by_label("Role of people with the link").select_option(label="Can comment")
    expect(a.page.locator(".toast").last).to_contain_text("can comment")
    dialog.get_by_role("button", name="Done").click()

    # A browser that never signed in opens the link.
    visitor = EditorPage(browsers.context(nobody, sign_in=False).new_page(), document, nobody)
    visitor.open()
    expect(visitor.editor).to_have_text("For everyone.")
    expect(visitor.page.locator("#view-only-badge")).to_have_text("Comment only")
    expect(visitor.editor).to_have_attribute("contenteditable", "false")
    expect(visitor.page.get_by_test_id("sign-in")).to_be_visible()
    expect(visitor.page.get_by_test_id("sign-out")).to_have_count(0)
    # Alice sees an anonymous animal, and the visitor sees her typing.
    expect(a.page.locator('#presence .presence-avatar[data-name^="Anonymous "]')).to_have_count(1)
    a.click_end()
    a.type(" Live.")
    visitor.wait_text("For everyone. Live.")
    # The visitor is shown nobody's name or address in the Share dialog.
    shown = open_share(visitor)
    expect(shown.get_by_role("button", name="Copy link")).to_be_visible()
    expect(shown.locator(".member-list")).to_have_count(0)
    expect(shown).not_to_contain_text(alice.username)
    shown.get_by_role("button", name="Done").click()

    dialog = open_share(a)
    dialog.get_by_label("Who can open the link").select_option(label="Only people with access")
    expect(visitor.banner).to_contain_text("Your access was removed")
    expect(visitor.banner).to_have_attribute("data-code", "4403")
    expect(a.page.locator('#presence .presence-avatar[data-name^="Anonymous "]')).to_have_count(0)
    visitor.page.reload()
    expect(visitor.page).to_have_url(
        f"{server.url}/accounts/login/?next=/documents/{document}/%3Ftest%3D1"
    )


def test_asking_for_access_and_the_owner_granting_it_in_the_share_dialog(
    server: Server, browsers: Browsers, users
):
    alice, bob = users(), users()
    document = server.create_document(alice, "Ask first")
    server.put_content(document, alice, "Private words.")
    a = browsers.editor(alice, document)

    page = browsers.context(bob).new_page()
    page.goto(f"/documents/{document}/")
    expect(page.get_by_role("heading", name="This document isn’t available")).to_be_visible()
    page.get_by_role("button", name="Request access").click()
    expect(page.get_by_test_id("access-requested")).to_contain_text("its owner was asked")

    # The owner's bell tells of it (on her next page load: the bell is not live yet).
    a.open()
    bell = a.page.get_by_role("button", name="Notifications: 1 unread")
    bell.click()
    expect(a.page.locator(".bell-item")).to_have_text(
        re.compile(f"{bob.name} asks for access to “Ask first”")
    )
    a.page.get_by_role("button", name="Mark all read").click()
    expect(a.page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    a.page.keyboard.press("Escape")

    dialog = open_share(a)
    request = dialog.locator(f'.share-requests li[data-username="{bob.username}"]')
    expect(request).to_contain_text(bob.name)
    request.get_by_label(f"Role for {bob.name}").select_option(label="Can edit")
    request.get_by_role("button", name=f"Share with {bob.name}").click()
    expect(a.page.locator(".toast").last).to_contain_text(f"Shared with {bob.name}")
    expect(dialog.locator(".share-requests")).to_be_hidden()
    member = dialog.locator(f'li.member[data-username="{bob.username}"]')
    expect(member.get_by_label(f"Role of {bob.name}")).to_have_value("editor")

    # Bob's bell, on his list, tells him and takes him there.
    page.goto("/")
    page.get_by_role("button", name="Notifications: 1 unread").click()
    item = page.locator(".bell-item")
    expect(item).to_have_text(
        re.compile(f"{alice.name} shared “Ask first” with you: you can edit it")
    )
    item.click()
    expect(page).to_have_url(f"{server.url}/documents/{document}/")
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()

    b = EditorPage(page, document, bob).open()
    expect(b.editor).to_have_attribute("contenteditable", "true")
    b.click_end()
    b.type(" Bob's too.")
    a.wait_text("Private words. Bob's too.")

"""The Share dialog: sharing by username or e-mail address, its messages, and the copied link."""

from playwright.sync_api import BrowserContext, Locator, expect

from e2e.conftest import Browsers, EditorPage, Server, User

CLIPBOARD = ["clipboard-read", "clipboard-write"]


def _give_email(server: Server, user: User, email: str) -> None:
    """The e2e users have no e-mail address (as after signing up); give one."""
    server.daphne.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as g; "
        f"g().objects.filter(username={user.username!r}).update(email={email!r})",
    )


def _open_share(page: EditorPage) -> Locator:
    page.page.locator('[data-action="share"]').click()
    dialog = page.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def _share(dialog: Locator, who: str) -> None:
    dialog.get_by_label("Username or e-mail address to share with").fill(who)
    dialog.get_by_role("button", name="Share", exact=True).click()


def _context_with_clipboard(browsers: Browsers, server: Server, user: User) -> BrowserContext:
    context = browsers.context(user)
    context.grant_permissions(CLIPBOARD, origin=server.url)
    return context


def test_share_by_email_and_hand_over_the_link(server, browsers, users):
    alice, bob = users(), users()
    _give_email(server, bob, f"{bob.username}.Sharing@Example.com")
    document = server.create_document(alice, "Shared by link")
    server.put_content(document, alice, "Hello Bob.")
    a = EditorPage(
        _context_with_clipboard(browsers, server, alice).new_page(), document, alice
    ).open()
    dialog = _open_share(a)

    _share(dialog, "bobb")
    expect(dialog.get_by_role("alert")).to_have_text("No user named 'bobb'")

    _share(dialog, f"{bob.username}.sharing@example.COM")
    expect(dialog.get_by_role("alert")).to_have_text("")
    member = dialog.locator(f'li.member[data-username="{bob.username}"]')
    expect(member.locator(".member-name")).to_have_text(bob.name)
    expect(member.locator(".member-username")).to_have_text(
        f"{bob.username} · {bob.username}.Sharing@Example.com"
    )

    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_have_text("Link copied")
    link = a.page.evaluate("() => navigator.clipboard.readText()")
    assert link == f"{server.url}/documents/{document}/"

    b = EditorPage(browsers.context(bob).new_page(), document, bob)
    b.page.goto(link)  # a plain page: no test switches, so no window.docsEditor either
    b.wait_online()
    expect(b.page.locator("#doc-title")).to_have_value("Shared by link")
    expect(b.editor).to_have_text("Hello Bob.")
    expect(b.editor).to_have_attribute("contenteditable", "true")


def test_without_the_clipboard_api_the_link_is_copied_from_its_field(server, browsers, users):
    """Over plain http (not localhost) pages have no navigator.clipboard: the dialog selects
    the link in its read-only field and copies it with the browser's copy command."""
    alice = users()
    document = server.create_document(alice, "No clipboard API")
    context = _context_with_clipboard(browsers, server, alice)
    page = context.new_page()
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined })"
    )
    a = EditorPage(page, document, alice).open()
    assert page.evaluate("() => navigator.clipboard === undefined")
    dialog = _open_share(a)

    dialog.get_by_role("button", name="Copy link").click()

    expect(dialog.get_by_role("status")).to_have_text("Link copied")
    field = dialog.get_by_label("Link to this document")
    expect(field).to_have_value(f"{server.url}/documents/{document}/")
    assert field.evaluate("input => input.selectionEnd - input.selectionStart") == len(
        field.input_value()
    )
    reader = context.new_page()
    reader.goto("/healthz")  # the same origin, with the Clipboard API
    assert reader.evaluate("() => navigator.clipboard.readText()") == field.input_value()


def test_only_owners_share_but_everyone_copies_the_link(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Viewer's dialog")
    server.share(document, alice, bob, "viewer")
    b = EditorPage(_context_with_clipboard(browsers, server, bob).new_page(), document, bob).open()
    dialog = _open_share(b)

    expect(dialog.get_by_text("Only the owner can change who has access.")).to_be_visible()
    expect(dialog.get_by_label("Username or e-mail address to share with")).to_have_count(0)
    # A viewer sees names, never e-mail addresses.
    expect(dialog.locator(f'li.member[data-username="{bob.username}"]')).to_contain_text(bob.name)
    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_have_text("Link copied")

"""The Content-Security-Policy in Chromium: every page works under it and reports no violation,
and inline code injected into a page is blocked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import EditorPage, User, eventually

# Records the page's CSP violations on window, before any of the page's own scripts runs.
RECORD_VIOLATIONS = """
window.cspViolations = []
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI}`
    + ` (${event.sourceFile}:${event.lineNumber}) ${event.sample}`)
}, true)
"""

# Resolves once the tasks queued so far (violation events among them) have run.
SETTLE_JS = "() => new Promise((resolve) => setTimeout(resolve, 0))"


class Violations:
    """The CSP violations the pages of one browser context report: their
    `securitypolicyviolation` events and the console's CSP messages."""

    def __init__(self, context: BrowserContext) -> None:
        context.add_init_script(RECORD_VIOLATIONS)
        self.console: list[str] = []
        context.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def of(self, page: Page) -> list[str]:
        """What `page` (since it was loaded) and the context's console reported so far."""
        page.evaluate(SETTLE_JS)
        return [*page.evaluate("() => window.cspViolations"), *self.console]

    def assert_none(self, page: Page) -> None:
        assert self.of(page) == [], f"{page.url} reported CSP violations"


@pytest.fixture(scope="module")
def people(server) -> tuple[User, User]:
    """Two users for all of this module's tests (the suite's pool of users is small); each test
    makes documents of its own."""
    return server.new_user(), server.new_user()


def watched(browsers, user: User, sign_in: bool = True) -> tuple[Page, Violations]:
    context = browsers.context(user, sign_in=sign_in)
    violations = Violations(context)
    return context.new_page(), violations


def make_staff(server, user: User) -> None:
    server.daphne.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as g; "
        f"g().objects.filter(username={user.username!r}).update(is_staff=True, is_superuser=True)",
    )


def test_signing_in_and_up_the_list_and_the_error_pages_report_no_violation(
    server, browsers, people
):
    alice, _ = people
    server.create_document(alice, "Quarterly plan")
    page, violations = watched(browsers, alice, sign_in=False)

    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    violations.assert_none(page)

    page.goto("/")
    page.get_by_label("Username").fill(alice.username)
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".doc-name", has_text="Quarterly plan")).to_be_visible()
    page.locator("#search").fill("quarterly")
    expect(page.locator(".doc-name")).to_have_count(1)
    violations.assert_none(page)

    page.goto("/no/such/page")
    expect(page.locator('[data-status="404"]')).to_be_visible()
    violations.assert_none(page)

    page.goto("/documents/00000000-0000-0000-0000-000000000000/")
    expect(page.get_by_role("heading", name="This document isn’t available")).to_be_visible()
    violations.assert_none(page)

    # A form posted without the CSRF cookie: the product's 403 page.
    page.goto("/")
    page.context.clear_cookies(name="csrftoken")
    page.get_by_test_id("sign-out").click()
    expect(page.locator('[data-status="403"]')).to_be_visible()
    violations.assert_none(page)


def test_live_editing_works_and_reports_no_violation(server, browsers, people):
    alice, bob = people
    document = server.create_document(alice, "Under policy")
    server.share(document, alice, bob)
    pages = {}
    for user in (alice, bob):
        page, violations = watched(browsers, user)
        pages[user.username] = (EditorPage(page, document, user).open(), violations)
    (a, a_violations), (b, b_violations) = pages[alice.username], pages[bob.username]

    a.click_end()
    a.type("Alice writes. ")
    b.wait_contains("Alice writes.")
    b.click_end()
    b.type("Bob answers.")
    a.wait_contains("Alice writes.", "Bob answers.")
    # Presence and the other person's caret are coloured through the CSSOM, not style attributes.
    expect(a.page.locator(".collaboration-carets__caret")).to_be_visible()
    expect(a.page.locator("#presence .avatar").first).not_to_have_css(
        "background-color", "rgba(0, 0, 0, 0)"
    )
    a_violations.assert_none(a.page)
    b_violations.assert_none(b.page)


def test_the_browsable_api_and_its_docs_report_no_violation(server, browsers, people):
    alice, _ = people
    document = server.create_document(alice, "Browsable")
    page, violations = watched(browsers, alice)

    page.goto("/api/")
    page.get_by_role("link", name=f"{server.url}/api/documents/").click()
    expect(page.get_by_role("heading", name="Document List")).to_be_visible()
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#filtersModal")).to_be_visible()
    violations.assert_none(page)

    page.goto(f"/api/documents/{document}/")
    page.get_by_role("button", name="OPTIONS").click()
    expect(page.locator(".response-info")).to_contain_text("HTTP 200 OK")
    violations.assert_none(page)

    page.goto("/api/docs/")
    operation = page.locator(".opblock-get", has_text="/api/documents/").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200"
    )
    violations.assert_none(page)


def test_the_admin_reports_no_violation(server, browsers, people):
    operator, _ = people
    make_staff(server, operator)
    document = server.create_document(operator, "Administered")
    page, violations = watched(browsers, operator)

    page.goto("/admin/")
    page.locator('#content-main a[href="/admin/documents/document/"]').first.click()
    expect(page.locator("#result_list")).to_contain_text("Administered")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text(re.compile(r"(\d+) of \1 selected"))
    violations.assert_none(page)

    page.goto(f"/admin/documents/document/{document}/change/")
    expect(page.locator("#id_title")).to_have_value("Administered")
    violations.assert_none(page)


# Inline code an attacker might get into a page, and the directive that must block it.
INJECTIONS = {
    "script-src-elem": (
        "const s = document.createElement('script');"
        "s.textContent = 'window.injectedRan = true'; document.body.append(s)"
    ),
    "script-src-attr": (
        "document.body.insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/documents/icon.svg" onload="window.injectedRan = true">\')'
    ),
    "style-src-elem": (
        "const s = document.createElement('style');"
        "s.textContent = 'body { outline: 7px solid red }'; document.head.append(s)"
    ),
    "style-src-attr": "document.body.setAttribute('style', 'outline: 7px solid red')",
}


def test_injected_inline_code_is_blocked(server, browsers, people):
    alice, _ = people
    document = server.create_document(alice, "Target")
    page, violations = watched(browsers, alice)
    for directive, injection in INJECTIONS.items():
        EditorPage(page, document, alice).open()  # a fresh page: no earlier injection in it
        assert page.evaluate("() => window.cspViolations") == []

        page.evaluate(f"() => {{ {injection} }}")

        reported = eventually(lambda d=directive: _reported(violations, page, d))
        assert reported[0].startswith(f"{directive} blocked inline")
        assert page.evaluate("() => window.injectedRan") is None, directive
        outline = page.evaluate("() => getComputedStyle(document.body).outlineStyle")
        assert outline == "none", directive


def _reported(violations: Violations, page: Page, directive: str) -> list[str]:
    found = [v for v in violations.of(page) if v.startswith(directive)]
    assert found, f"no {directive} violation reported"
    return found

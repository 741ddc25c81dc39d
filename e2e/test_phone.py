"""On a phone (390×844): a readable title, a one-row toolbar that scrolls, no page wider than
the screen."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import Browsers, EditorPage, User

PHONE = {"width": 390, "height": 844}
TITLE = "Quarterly planning notes for the whole team"


@pytest.fixture
def phone(browsers: Browsers) -> Callable[[User], BrowserContext]:
    """Opens a signed-in context for a user on a phone-sized touch screen."""

    def open_context(user: User) -> BrowserContext:
        context = browsers.browser.new_context(
            base_url=browsers.server.url,
            viewport=PHONE,
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
        )
        browsers.contexts.append(context)
        browsers.sign_in(context, user)
        return context

    return open_context


def _page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_editor_fits_a_phone(server, phone, users):
    alice, bob = users(), users()
    document = server.create_document(alice, TITLE)
    server.share(document, alice, bob)
    server.put_content(document, alice, "Notes from the planning meeting.")
    a = EditorPage(phone(alice).new_page(), document, alice).open()
    EditorPage(phone(bob).new_page(), document, bob).open()  # a second avatar in the header
    expect(a.page.locator("#presence .avatar")).to_have_count(2)

    assert a.page.locator("#doc-title").bounding_box()["width"] >= 200

    toolbar = a.page.locator("#toolbar")
    layout = toolbar.evaluate(
        """(toolbar) => {
          const buttons = [...toolbar.querySelectorAll('button')]
          return {
            tops: new Set(buttons.map((b) => b.getBoundingClientRect().top)).size,
            height: toolbar.clientHeight,
            button: buttons[0].offsetHeight,
            scrollWidth: toolbar.scrollWidth,
            clientWidth: toolbar.clientWidth,
            overflowX: getComputedStyle(toolbar).overflowX,
          }
        }"""
    )
    assert layout["tops"] == 1, f"the toolbar's buttons are on {layout['tops']} rows"
    assert layout["height"] < 2 * layout["button"], layout
    assert layout["scrollWidth"] > layout["clientWidth"], layout
    assert layout["overflowX"] == "auto"
    assert _page_width(a.page) <= PHONE["width"]

    # It scrolls to the last button, which works.
    a.click_end()
    last = toolbar.locator('[data-tool="horizontalRule"]')
    last.scroll_into_view_if_needed()
    last.tap()
    expect(a.editor.locator("hr")).to_have_count(1)


def test_the_document_list_fits_a_phone(server, phone, users):
    alice, bob = users(), users()
    server.create_document(alice, TITLE + ", and a very long name that goes on and on")
    shared = server.create_document(bob, "Shared by Bob")
    server.share(shared, bob, alice, "viewer")
    page = phone(alice).new_page()
    page.goto("/")
    expect(page.locator("tbody tr")).to_have_count(2)

    assert _page_width(page) <= PHONE["width"]
    # Every row's Name cell is on the screen, its actions too.
    for box in page.locator("tbody tr").evaluate_all(
        "(rows) => rows.map((row) => row.getBoundingClientRect().right)"
    ):
        assert box <= PHONE["width"]
    expect(page.get_by_role("button", name="Rename")).to_be_in_viewport()

"""Every page follows the system's colour scheme (`prefers-color-scheme`), with readable text."""

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import EditorPage

# WCAG's relative luminance of an element's background (the first opaque one up its ancestors),
# and the contrast ratio of its text on it.
COLORS_JS = """(element) => {
  const rgb = (color) => color.match(/[\\d.]+/g).map(Number)
  const luminance = (color) => {
    const [r, g, b] = rgb(color).slice(0, 3).map((c) => {
      c /= 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    })
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  let behind = element
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) {
    behind = behind.parentElement
  }
  const background = luminance(getComputedStyle(behind ?? document.body).backgroundColor)
  const text = luminance(getComputedStyle(element).color)
  const [light, dark] = [Math.max(background, text), Math.min(background, text)]
  return { background, contrast: (light + 0.05) / (dark + 0.05) }
}"""

# Texts of each page whose contrast is checked: body text, muted text, buttons, links, icons.
READABLE = {
    "editor": [
        ".prose p",
        ".prose a",
        ".prose code",
        "#doc-title",
        "#status-connection",
        '[data-tool="bold"]',
        '[data-tool="heading1"]',
        '[data-action="share"]',
        '[data-action="history"]',
    ],
    "list": [".doc-name", ".tab[aria-selected='true']", ".tab", ".start-title", ".badge"],
    "sign-in": ["h1", ".auth-card > .muted", ".field-label", ".btn-primary", ".auth-switch a"],
}


def _check(page: Page, name: str, scheme: str) -> None:
    body = page.locator("body").evaluate(COLORS_JS)["background"]
    if scheme == "dark":
        assert body < 0.05, f"{name}: the page is not dark (luminance {body:.2f})"
    else:
        assert body > 0.8, f"{name}: the page is not light (luminance {body:.2f})"
    for selector in READABLE[name]:
        contrast = page.locator(selector).first.evaluate(COLORS_JS)["contrast"]
        assert contrast >= 4.5, f"{name}, {scheme}: {selector} has a contrast of {contrast:.1f}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_follow_the_color_scheme(server, browsers, users, scheme):
    alice = users()
    document = server.create_document(alice, "Colours")
    server.put_content(
        document, alice, "Some **text** with `code` and a [link](https://example.com/).", "markdown"
    )

    page = browsers.context(alice).new_page()
    page.emulate_media(color_scheme=scheme)
    EditorPage(page, document, alice).open()
    _check(page, "editor", scheme)

    page.goto("/")
    expect(page.locator("tbody tr")).to_have_count(1)
    _check(page, "list", scheme)

    signed_out = browsers.context(alice, sign_in=False).new_page()
    signed_out.emulate_media(color_scheme=scheme)
    signed_out.goto("/accounts/login/")
    _check(signed_out, "sign-in", scheme)

"""Two people in one document: concurrent typing, formatting, presence, per-user undo."""

import random
import string
from collections import Counter

from playwright.sync_api import expect

from e2e.conftest import SYNC_MS, EditorPage, eventually


def _words(rng: random.Random, letters: str, length: int) -> str:
    """Words of `letters` separated by single spaces, `length` characters in all."""
    text = ""
    while len(text) < length:
        text += "".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) + " "
    return text[:length]


def _both_identical(a: EditorPage, b: EditorPage) -> str:
    text_a, text_b = a.text(), b.text()
    assert text_a == text_b, f"pages differ:\nA: {text_a!r}\nB: {text_b!r}"
    return text_a


def test_concurrent_typing_in_one_paragraph(server, browsers, users):
    """Both type hundreds of characters into the same paragraph at once: every keystroke of
    both ends up exactly once in both pages and in the server's copy."""
    alice, bob = users(), users()
    document = server.create_document(alice, "Race")
    server.share(document, alice, bob)
    server.put_content(document, alice, "42")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    a.wait_text("42")
    b.wait_text("42")

    rng = random.Random(5)
    # Alice types lower case, Bob upper case: each one's keystrokes stay recognisable.
    text_a = _words(rng, string.ascii_lowercase, 300)
    text_b = _words(rng, string.ascii_uppercase, 300)
    a.click_end()
    b.click_end()

    # Alternate short bursts, never waiting for the other page: each burst is typed before the
    # other's previous one has arrived, so the edits are concurrent at the same position. A burst
    # is either keystrokes (keydown, input, keyup per character) or one text input event of a
    # few characters (as from an IME or a quick typist): keystrokes alone cost ~30 ms each here.
    def burst(page: EditorPage, text: str, start: int) -> int:
        if rng.random() < 0.4:
            end = start + rng.randint(1, 3)
            page.type(text[start:end])
        else:
            end = start + rng.randint(2, 8)
            page.page.keyboard.insert_text(text[start:end])
        return end

    i = j = 0
    while i < len(text_a) or j < len(text_b):
        if i < len(text_a):
            i = burst(a, text_a, i)
        if j < len(text_b):
            j = burst(b, text_b, j)

    final = eventually(lambda: _both_identical(a, b), SYNC_MS)
    expected = Counter("42" + text_a + text_b)
    assert Counter(final) == expected, (
        f"missing: {expected - Counter(final)}, extra: {Counter(final) - expected}"
    )
    assert "\n" not in final, "the paragraph was split"
    # Each one's characters stay in the order they were typed.
    assert "".join(c for c in final if c.islower()) == "".join(c for c in text_a if c.islower())
    assert "".join(c for c in final if c.isupper()) == "".join(c for c in text_b if c.isupper())

    a.wait_saved()
    b.wait_saved()
    assert server.content(document, alice) == final
    # And it is still the same text after both pages are settled.
    assert a.text() == b.text() == final


def test_formatting_reaches_the_other_page(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Formatting")
    server.share(document, alice, bob)
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    page = a.page

    a.click_end()
    page.locator('[data-tool="heading1"]').click()
    a.type("Project plan")
    page.keyboard.press("Enter")
    a.type("Some ")
    page.locator('[data-tool="bold"]').click()
    a.type("bold words")
    page.keyboard.press("Control+b")
    a.type(" then plain")
    page.keyboard.press("Enter")
    page.locator('[data-tool="bulletList"]').click()
    a.type("first item")
    page.keyboard.press("Enter")
    a.type("second item")
    expect(page.locator('[data-tool="bulletList"]')).to_have_attribute("aria-pressed", "true")

    editor = b.editor
    expect(editor.locator("h1")).to_have_text("Project plan")
    expect(editor.locator("p strong")).to_have_text("bold words")
    expect(editor.locator("ul > li")).to_have_count(2)
    # Text through the editor's document: Alice's caret label is in Bob's DOM, not in the text.
    # (Tiptap keeps an empty paragraph after a list at the end: its TrailingNode extension.)
    b.wait_text("Project plan\nSome bold words then plain\nfirst item\nsecond item\n")
    blocks = b.page.evaluate("() => window.docsEditor.editor.getJSON().content")
    assert [block["type"] for block in blocks] == [
        "heading",
        "paragraph",
        "bulletList",
        "paragraph",
    ]
    a.wait_saved()
    assert server.content(document, bob, "markdown").splitlines() == [
        "# Project plan",
        "",
        "Some **bold words** then plain",
        "",
        "- first item",
        "- second item",
    ]


def _rgb(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


TEXT_BEFORE_CARET = """(caret) => {
  const block = caret.closest('p, h1, h2, h3, li')
  const range = document.createRange()
  range.setStart(block, 0)
  range.setEndBefore(caret)
  return range.toString()
}"""


def test_presence_caret_name_colour_and_departure(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Presence")
    server.share(document, alice, bob)
    server.put_content(document, alice, "Hello brave new world")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)
    color = a.config()["user"]["color"]
    assert a.config()["user"]["name"] == alice.name

    # Alice's caret goes right after "Hello brave".
    a.editor.click()
    a.caret_to_start()
    for _ in range(len("Hello brave")):
        a.page.keyboard.press("ArrowRight")

    caret = b.editor.locator(".collaboration-carets__caret")
    expect(caret).to_have_count(1)
    label = caret.locator(".collaboration-carets__label")
    expect(label).to_have_text(alice.name)
    expect(caret).to_have_css("border-left-color", _rgb(color))
    expect(label).to_have_css("background-color", _rgb(color))
    eventually(lambda: _assert_equal(caret.evaluate(TEXT_BEFORE_CARET), "Hello brave"))
    # The document's text is untouched by the caret widget.
    assert b.text() == "Hello brave new world"
    avatar = b.page.locator(f'#presence .presence-avatar[data-name="{alice.name}"]')
    expect(avatar).to_be_visible()
    expect(avatar).to_have_css("background-color", _rgb(color))

    # It follows her: to the end of the line.
    a.page.keyboard.press("End")
    eventually(lambda: _assert_equal(caret.evaluate(TEXT_BEFORE_CARET), "Hello brave new world"))

    # Alice leaves: her caret and avatar go at once, not after the 30 s awareness timeout.
    a.page.close()
    expect(caret).to_have_count(0, timeout=5_000)
    expect(avatar).to_have_count(0, timeout=5_000)
    expect(b.page.locator("#presence .presence-avatar")).to_have_count(1)  # Bob himself


def _assert_equal(actual, expected) -> None:
    assert actual == expected, f"{actual!r} != {expected!r}"


def test_undo_takes_back_only_my_last_change(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Undo")
    server.share(document, alice, bob)
    server.put_content(document, alice, "Shared:")
    a = browsers.editor(alice, document)
    b = browsers.editor(bob, document)

    a.click_end()
    a.type(" apple")
    b.wait_text("Shared: apple")
    b.click_end()
    b.type(" banana")
    a.wait_text("Shared: apple banana")
    # Yjs' UndoManager merges changes less than 500 ms apart into one undo step (captureTimeout):
    # pause as a person would, so that " cherry" is a step of its own.
    a.page.wait_for_timeout(600)
    a.caret_to_end()
    a.type(" cherry")
    b.wait_text("Shared: apple banana cherry")

    a.page.keyboard.press("Control+z")
    a.wait_text("Shared: apple banana")
    b.wait_text("Shared: apple banana")
    a.wait_saved()
    assert server.content(document, alice) == "Shared: apple banana"

    # Bob's undo takes back his change, not Alice's earlier one.
    b.page.keyboard.press("Control+z")
    b.wait_text("Shared: apple")
    a.wait_text("Shared: apple")
    b.wait_saved()
    assert server.content(document, bob) == "Shared: apple"

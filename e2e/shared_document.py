"""How most two-browser tests begin: Alice's document, shared with Bob, open in both browsers."""

from __future__ import annotations

from e2e.conftest import EditorPage
from e2e.test_csp import Violations


def open_shared(
    server, browsers, users, title: str, content: str = "", role: str = "editor"
) -> tuple[EditorPage, EditorPage, Violations]:
    """Alice's new document holding `content`, shared with Bob as `role`, open in a browser
    each once both show `content`; the CSP violations of Alice's browser are recorded."""
    alice, bob = users(), users()
    document = server.create_document(alice, title)
    server.share(document, alice, bob, role=role)
    if content:
        server.put_content(document, alice, content)
    context = browsers.context(alice)
    violations = Violations(context)
    a = EditorPage(context.new_page(), document, alice).open()
    b = browsers.editor(bob, document)
    a.wait_text(content)
    b.wait_text(content)
    return a, b, violations

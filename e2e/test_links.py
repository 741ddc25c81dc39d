"""Links a hostile client writes straight into the shared document render safely in another
person's editor: a new tab with rel="noopener noreferrer", and no live javascript: link."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from pycrdt import XmlElement, XmlText

from e2e.conftest import eventually
from tests.server import SocketClient

HOSTILE = {"href": "https://example.com/x", "target": "_top", "rel": "opener"}
SCRIPT = {"href": "javascript:alert(document.title)", "target": "_top", "rel": "opener"}

LINKS_JS = """() => [...document.querySelectorAll('.ProseMirror a')].map((a) => ({
  text: a.textContent, href: a.getAttribute('href'), target: a.target, rel: a.rel,
}))"""


async def write_hostile_links(server, document_id: str, token: str) -> None:
    """As a pycrdt client may: link marks are XmlText formatting attributes."""
    client = await SocketClient.connect(server.daphne.ws_url, document_id, token)
    try:
        await client.handshake()

        def write(doc) -> None:
            paragraph = client.fragment.children.append(XmlElement("paragraph"))
            text = paragraph.children.append(XmlText())
            text.insert(0, "opener", {"link": HOSTILE})
            text.insert(len("opener"), " script", {"link": SCRIPT})

        await client.edit(write)
        await client.roundtrip()
    finally:
        await client.close()


def test_links_written_over_the_socket_render_safely_for_another_user(server, browsers, users):
    alice, bob = users(), users()
    document = server.create_document(alice, "Links")
    server.share(document, alice, bob, "viewer")
    # In a thread of its own: sync Playwright runs an event loop in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, write_hostile_links(server, document, alice.token)).result()

    page = browsers.editor(bob, document)
    page.wait_text("opener script")
    links = eventually(lambda: page.page.evaluate(LINKS_JS) or None)

    assert links == [
        {
            "text": "opener",
            "href": "https://example.com/x",
            "target": "_blank",
            "rel": "noopener noreferrer nofollow",
        },
        # The javascript: link keeps its text, as a link that leads nowhere.
        {
            "text": " script",
            "href": None,
            "target": "_blank",
            "rel": "noopener noreferrer nofollow",
        },
    ]
    # The server's exports of the same document say the same.
    html = server.content(document, bob, "html")
    assert 'target="_blank" rel="noopener noreferrer nofollow"' in html
    assert "_top" not in html and "javascript" not in html

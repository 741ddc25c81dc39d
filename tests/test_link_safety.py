"""Links a client writes over the WebSocket, whatever attributes it gives them, are exported
opening a new tab with rel="noopener noreferrer", and unsafe hrefs never as links."""

import pytest
from pycrdt import XmlElement, XmlFragment, XmlText
from rest_framework.test import APIClient

from tests.conftest import async_db
from tests.wsclients import connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]

HOSTILE = {"href": "https://example.com/x", "target": "_top", "rel": "opener", "title": "t"}
SCRIPT = {"href": "javascript:alert(document.cookie)", "target": "_top", "rel": "opener"}
SAFE = {
    "href": "https://example.com/x",
    "target": "_blank",
    "rel": "noopener noreferrer nofollow",
    "class": None,
    "title": "t",
}


def write_hostile_links(doc) -> None:
    """As a pycrdt client may: link marks are XmlText formatting attributes (see crdt.py)."""
    paragraph = doc.get("default", type=XmlFragment).children.append(XmlElement("paragraph"))
    text = paragraph.children.append(XmlText())
    text.insert(0, "opener", {"link": HOSTILE})
    text.insert(len("opener"), " script", {"link": SCRIPT})  # ASCII: bytes = characters


async def exported(client: APIClient, document_id, format: str):
    response = await async_db(client.get)(f"/api/documents/{document_id}/content?format={format}")
    assert response.status_code == 200, response.content
    return response.json()["content"]


@pytest.fixture
def owner_setup(user, make_document, token_for):
    return make_document(user), token_for(user)


async def test_links_written_over_the_socket_are_exported_safely(owner_setup):
    document, token = owner_setup
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    async with connected(document.id, token) as attacker:
        await attacker.edit(write_hostile_links)
        await attacker.roundtrip()

        assert await exported(api, document.id, "html") == (
            '<p><a href="https://example.com/x" target="_blank" '
            'rel="noopener noreferrer nofollow" title="t">opener</a> script</p>'
        )
        assert await exported(api, document.id, "markdown") == (
            '[opener](https://example.com/x "t") script\n'
        )
        assert await exported(api, document.id, "json") == {
            "type": "doc",
            "content": [
                {
                    "type": "paragraph",
                    "content": [
                        {
                            "type": "text",
                            "text": "opener",
                            "marks": [{"type": "link", "attrs": SAFE}],
                        },
                        {"type": "text", "text": " script"},
                    ],
                }
            ],
        }
        # A named version exports the same way.
        created = await async_db(api.post)(
            f"/api/documents/{document.id}/versions/", {"name": "v"}, format="json"
        )
        version = await async_db(api.get)(
            f"/api/documents/{document.id}/versions/{created.json()['id']}/?format=html"
        )
        assert 'rel="noopener noreferrer nofollow"' in version.json()["content"]
        assert "_top" not in version.json()["content"]
        assert "javascript" not in version.json()["content"]

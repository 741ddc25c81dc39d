"""Search inside documents: `GET /api/documents/?search=` finds titles and text through the
database's full-text search, ranked, with a snippet, and only in documents the user may see.
The whole module runs once more against PostgreSQL (the last test)."""

import os
import subprocess
import sys
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from documents.models import Membership
from documents.search.index import index_document
from documents.search.models import SearchText
from documents.search.query import words_of
from tests.test_live_api import api_for, paragraphs
from tests.wsclients import connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def owner(user, token_for):
    return user, api_for(token_for(user))


def write(client: APIClient, document, text: str) -> None:
    response = client.put(
        f"/api/documents/{document.id}/content",
        {"format": "markdown", "content": text},
        format="json",
    )
    assert response.status_code == 200, response.content


def found(client: APIClient, query: str) -> list[dict]:
    response = client.get("/api/documents/", {"search": query})
    assert response.status_code == 200, response.content
    return response.json()["results"] if "results" in response.json() else response.json()


def titles(results: list[dict]) -> list[str]:
    return [result["title"] for result in results]


def test_text_inside_a_document_is_found_with_a_snippet(owner, make_document):
    user, client = owner
    plans = make_document(user, title="Plans")
    other = make_document(user, title="Other")
    write(client, plans, "We meet on Thursday to talk about the quarterly budget.")
    write(client, other, "Nothing to see here.")

    [hit] = found(client, "quarterly budget")
    assert hit["title"] == "Plans"
    assert "quarterly budget" in hit["snippet"]
    assert found(client, "QUARTERLY") and found(client, "quart")  # any case; a prefix
    assert found(client, "budget thursday")  # every word, in any order
    assert found(client, "budget holidays") == []


def test_titles_are_found_first_and_text_hits_by_rank(owner, make_document):
    user, client = owner
    once = make_document(user, title="Mentions it once")
    often = make_document(user, title="Mentions it often")
    titled = make_document(user, title="Zebra facts")
    write(client, once, "A zebra, once, among many other animals: lions, giraffes, hippos.")
    write(client, often, "Zebra. Zebra zebra zebra.")
    assert titles(found(client, "zebra")) == [
        "Zebra facts",
        "Mentions it often",
        "Mentions it once",
    ]
    assert found(client, "zebra")[0]["snippet"] == ""
    # An explicit ordering wins over the ranking.
    ordered = client.get("/api/documents/", {"search": "zebra", "ordering": "title"}).json()
    assert titles(ordered.get("results", ordered)) == sorted(
        [once.title, often.title, titled.title]
    )


def test_a_member_sees_hits_only_in_documents_they_may_view(
    owner, make_user, make_document, token_for
):
    user, client = owner
    shared = make_document(user, title="Shared")
    private = make_document(user, title="Private")
    write(client, shared, "The secret ingredient is cardamom.")
    write(client, private, "The secret ingredient is saffron.")
    guest = make_user()
    membership = Membership.objects.create(document=shared, user=guest, role="viewer")
    guest_client = api_for(token_for(guest))

    assert titles(found(guest_client, "secret ingredient")) == ["Shared"]
    assert found(guest_client, "saffron") == []
    stranger = api_for(token_for(make_user()))
    assert found(stranger, "secret") == []
    membership.delete()
    assert found(guest_client, "cardamom") == []
    assert APIClient().get("/api/documents/", {"search": "secret"}).status_code in (401, 403)


@pytest.mark.parametrize(
    "query",
    ['"', '"unbalanced', "*", "NEAR(a b)", "a AND", "-x", "text:secret", "((", "'; DROP TABLE x"]
    + ["word " * 500, "ünïcödé", "\x00"],
)
def test_any_query_is_words_and_nothing_else(owner, make_document, query):
    user, client = owner
    document = make_document(user, title="Doc")
    write(client, document, "secret text with ünïcödé")
    response = client.get("/api/documents/", {"search": query})
    assert response.status_code == 200, response.content
    assert len(words_of(query)) <= 32


def test_a_deleted_document_leaves_the_index(owner, make_document):
    user, client = owner
    document = make_document(user, title="Gone")
    write(client, document, "ephemeral words")
    assert SearchText.objects.filter(document=document).exists()
    assert client.delete(f"/api/documents/{document.id}/").status_code == 204
    assert found(client, "ephemeral") == []
    assert not SearchText.objects.exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM documents_search_fts WHERE documents_search_fts MATCH ?",
                ['"ephemeral"'],
            )
            assert cursor.fetchone()[0] == 0


def test_reindexing_replaces_what_was_indexed(owner, make_document):
    user, client = owner
    document = make_document(user, title="Draft")
    write(client, document, "first version")
    write(client, document, "second version")
    index_document(document.id)
    assert found(client, "first") == []
    assert titles(found(client, "second")) == ["Draft"]
    index_document(uuid.uuid4())  # a document that does not exist: nothing happens


async def test_typing_in_a_live_document_is_found_shortly_after_it_is_stored(
    owner, make_document, token_for, settings
):
    from tests.conftest import async_db

    settings.REALTIME = {
        **settings.REALTIME,
        "SEARCH_INDEX_SECONDS": 0.05,
        "PERSIST_INTERVAL_SECONDS": 0.05,
    }
    user, client = owner
    document = await async_db(make_document)(user, title="Live")
    token = await async_db(token_for)(user)
    async with connected(document.id, token) as editor:
        await editor.append_paragraph("typed live about marmalade")
        await editor.roundtrip()
        assert paragraphs(editor.fragment) == ["typed live about marmalade"]
        for _ in range(100):
            if await async_db(found)(client, "marmalade"):
                break
            await editor.pump(0.05)
        assert titles(await async_db(found)(client, "marmalade")) == ["Live"]


@pytest.mark.slow
def test_the_same_under_postgresql(tmp_path):
    """Every test above, against PostgreSQL's full-text search (a database of its own)."""
    name = f"collab_search_{uuid.uuid4().hex[:12]}"
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    env = {**os.environ, "DATABASE_URL": f"{base}/{name}"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider"]
            + ["-k", "not under_postgresql"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_the_index_documents_command_indexes_what_was_never_indexed(owner, make_document):
    user, client = owner
    document = make_document(user, title="Old")
    write(client, document, "written before search existed")
    SearchText.objects.all().delete()
    assert found(client, "existed") == []
    output = StringIO()
    call_command("index_documents", stdout=output)
    assert "indexed 1 documents" in output.getvalue()
    assert titles(found(client, "existed")) == ["Old"]

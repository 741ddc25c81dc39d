"""Finding documents by the words in their text, best first, each with a snippet."""

import re
from dataclasses import dataclass
from uuid import UUID

from django.db import connection

# At most this many hits are ranked; the list shows far fewer.
MAX_HITS = 200
SNIPPET_WORDS = 16
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: UUID
    snippet: str


def words_of(query: str) -> list[str]:
    """The words of what was typed; punctuation and search operators are not part of a query."""
    return _WORD.findall(query)[:32]


def text_hits(query: str) -> list[Hit]:
    """The documents whose indexed text holds every word of `query` (the last one as a
    prefix, for search as you type), best first. Visibility is the caller's to apply."""
    words = words_of(query)
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _postgres_hits(words)
    return _sqlite_hits(words)


def _sqlite_hits(words: list[str]) -> list[Hit]:
    # Each word quoted: FTS5's own syntax (AND, NEAR, column filters) stays out of user input.
    match = " ".join(f'"{word}"' for word in words) + "*"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT st.document_id, snippet(documents_search_fts, 0, '', '', '…', %s) "
            "FROM documents_search_fts JOIN documents_searchtext st "
            "ON st.id = documents_search_fts.rowid "
            "WHERE documents_search_fts MATCH %s ORDER BY bm25(documents_search_fts) LIMIT %s",
            [SNIPPET_WORDS, match, MAX_HITS],
        )
        return [Hit(_uuid(document_id), snippet) for document_id, snippet in cursor.fetchall()]


def _postgres_hits(words: list[str]) -> list[Hit]:
    # Imported here: on SQLite the settings keep django.contrib.postgres out of the process.
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    from documents.search.models import SearchText

    # The same expression as the GIN index of migration 0004, so that the index serves it.
    vector = SearchVector("text", config="simple")
    raw = " & ".join([*words[:-1], f"{words[-1]}:*"])  # words only: no operator of the user's
    query = SearchQuery(raw, config="simple", search_type="raw")
    rows = (
        SearchText.objects.annotate(vector=vector, rank=SearchRank(vector, query))
        .filter(vector=query)
        .annotate(
            snippet=SearchHeadline(
                "text",
                query,
                config="simple",
                start_sel="",
                stop_sel="",
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
            )
        )
        .order_by("-rank")
        .values_list("document_id", "snippet")[:MAX_HITS]
    )
    return [Hit(document_id, snippet) for document_id, snippet in rows]


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))

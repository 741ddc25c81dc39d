"""`?search=` on the document list: titles and text, ranked, each hit with a snippet."""

from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from rest_framework import filters
from rest_framework.request import Request

from documents.search.query import text_hits

SEARCH_PARAMETER = "search"


class DocumentSearchFilter(filters.BaseFilterBackend):
    """Documents whose title or text holds what was searched for: title hits first, then text
    hits by the database's ranking, unless the client asked for an `ordering`. Only documents
    in the queryset (those the user may see) are ever hits."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view) -> QuerySet:
        # No NUL: PostgreSQL refuses it in any text, a title comparison included.
        query = request.query_params.get(SEARCH_PARAMETER, "").replace("\x00", "").strip()
        if not query:
            return queryset
        hits = text_hits(query)
        found = queryset.filter(
            Q(title__icontains=query) | Q(pk__in=[hit.document_id for hit in hits])
        )
        if hits:
            found = found.annotate(
                search_snippet=Case(
                    *(When(pk=hit.document_id, then=Value(hit.snippet)) for hit in hits),
                    default=Value(""),
                    output_field=CharField(),
                ),
                text_rank=Case(
                    *(When(pk=hit.document_id, then=Value(rank)) for rank, hit in enumerate(hits)),
                    default=Value(len(hits)),
                    output_field=IntegerField(),
                ),
            )
        else:
            found = found.annotate(search_snippet=Value(""), text_rank=Value(0))
        if "ordering" in request.query_params:
            return found
        title_first = Case(When(title__icontains=query, then=Value(0)), default=Value(1))
        return found.order_by(title_first, "text_rank", "-updated")

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": SEARCH_PARAMETER,
                "required": False,
                "in": "query",
                "description": "Words in the title or the text; the last one may be a prefix.",
                "schema": {"type": "string"},
            }
        ]

"""The operator's admin: documents with their members, versions, content and log size."""

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Length
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from pycrdt import XmlFragment

from documents import content, live
from documents.models import Document, Membership, Version


class MembershipInline(admin.TabularInline):
    """Who the document is shared with; roles can be changed here."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created"]


class VersionInline(admin.TabularInline):
    """Named versions, read-only: their snapshots are CRDT state."""

    model = Version
    extra = 0
    fields = ["name", "author", "created"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Documents with their owner, members and versions, the stored content as text (read-only:
    changes go through the editor or the REST API, so that open editors see them) and the size
    of the update log not yet folded into the snapshot."""

    list_display = ["title", "owner", "updated", "log_rows", "open_link"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__username"]
    autocomplete_fields = ["owner"]
    fields = ["title", "owner", "id", "created", "updated", "open_link", "log_size", "text"]
    readonly_fields = ["id", "created", "updated", "open_link", "log_size", "text"]
    inlines = [MembershipInline, VersionInline]

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list[str]:
        # A document being added has no content, log or editor page yet.
        return self.fields if obj is not None else ["title", "owner"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return (
            super()
            .get_queryset(request)
            .defer("snapshot")
            .annotate(log_count=Count("updates"), log_bytes=Sum(Length("updates__data")))
        )

    @admin.display(description="log rows", ordering="log_count")
    def log_rows(self, document: Document) -> int:
        return document.log_count

    @admin.display(description="update log")
    def log_size(self, document: Document) -> str:
        return (
            f"{document.log_count} rows, {filesizeformat(document.log_bytes or 0)} "
            "(folded into the snapshot by compaction)"
        )

    @admin.display(description="open")
    def open_link(self, document: Document) -> str:
        url = reverse("pages:editor", args=[document.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open in the editor</a>', url
        )

    @admin.display(description="content (text)")
    def text(self, document: Document) -> str:
        doc = live.read_document(document.pk)
        rendered = content.render(doc.get("default", type=XmlFragment), "text")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', rendered or "(empty)")

from django.contrib import admin

from documents.models import Document, DocumentUpdate


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Documents with their owner; the CRDT snapshot is binary and not shown."""

    list_display = ["title", "owner", "created", "updated"]
    search_fields = ["title", "owner__username"]
    readonly_fields = ["id", "created", "updated"]


@admin.register(DocumentUpdate)
class DocumentUpdateAdmin(admin.ModelAdmin):
    """The append-only update log, read-only: editing a CRDT update by hand corrupts history."""

    list_display = ["id", "document", "created", "size"]
    list_select_related = ["document"]

    @admin.display(description="bytes")
    def size(self, obj: DocumentUpdate) -> int:
        return len(obj.data)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

"""`manage.py index_documents`: index every document's stored text for search, once, e.g. after
upgrading to a version with search; from then on writes keep the index current."""

from django.core.management.base import BaseCommand

from documents.models import Document
from documents.search.index import index_document


class Command(BaseCommand):
    help = "Index the stored text of every document (or of those given) for ?search=."

    def add_arguments(self, parser) -> None:
        parser.add_argument("document_ids", nargs="*", help="only these documents")

    def handle(self, *args, document_ids: list[str], **options) -> None:
        documents = Document.objects.order_by("created")
        if document_ids:
            documents = documents.filter(pk__in=document_ids)
        count = 0
        for document_id in documents.values_list("pk", flat=True).iterator():
            index_document(document_id)
            count += 1
        self.stdout.write(f"indexed {count} documents")

"""The indexed text of each document."""

from django.db import models

from documents.models import Document


class SearchText(models.Model):
    """A document's content as plain text, as of `indexed`. On SQLite an FTS5 table mirrors it
    (migration 0004); on PostgreSQL a GIN index on its text vector serves queries."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="search_text")
    text = models.TextField(blank=True)
    indexed = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "documents"

"""Comment threads: their anchors, their comments and who was mentioned, and when each person
last looked at a document's comments."""

import uuid

from django.conf import settings
from django.db import models

from documents.models import Document

# Yjs writes a relative position in at most 24 bytes (anchors.MAX_POSITION_BYTES).
ANCHOR_FIELD_BYTES = 24


class CommentThread(models.Model):
    """A discussion about a range of a document's text. Only its anchor (two Yjs relative
    positions) refers to the shared document; `quote` keeps the text it was about."""

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    anchor_start = models.BinaryField(max_length=ANCHOR_FIELD_BYTES)
    anchor_end = models.BinaryField(max_length=ANCHOR_FIELD_BYTES)
    quote = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "documents"
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["document", "status"])]

    def __str__(self) -> str:
        return f"thread {self.id} on {self.document_id}"


class Comment(models.Model):
    """One message in a thread. A mention is a user reference: the body holds `<@pk>` for it,
    and `mentions` the users themselves."""

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "documents"
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} in {self.thread_id}"


class CommentsSeen(models.Model):
    """When someone last looked at a document's comments: what came later is new to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    seen = models.DateTimeField()

    class Meta:
        app_label = "documents"
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="comments_seen_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} saw the comments of {self.document_id}"

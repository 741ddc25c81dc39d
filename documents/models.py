"""Documents and the append-only log of their CRDT updates."""

import uuid

from django.conf import settings
from django.db import models

from documents.attachments.files import attachment_path, attachment_storage
from documents.roles import LINK_ROLE_CHOICES, LinkAccess, Role


class Document(models.Model):
    """A collaborative document.

    Its content is a Yjs document: `snapshot` holds the compacted state (a Yjs v1 update), and
    the `DocumentUpdate` rows hold what was appended since. Content = snapshot + log.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200, default="Untitled document")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    snapshot = models.BinaryField(default=b"", editable=False)
    # Changes the server refused (documents/realtime/refusals.py), kept so that they are refused
    # again after the document is unloaded.
    refused_changes = models.JSONField(default=dict, blank=True, editable=False)
    # Who may open it by its link alone, and with which role (see documents.access).
    link_access = models.CharField(
        max_length=13, choices=LinkAccess.choices, default=LinkAccess.RESTRICTED
    )
    link_role = models.CharField(
        max_length=10,
        choices=LINK_ROLE_CHOICES,
        default=Role.VIEWER,
    )

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.title


class DocumentUpdate(models.Model):
    """One CRDT update (or a batch of them, merged) as a client sent it; rows are only appended
    and, by compaction, folded into the document's snapshot and deleted."""

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="updates")
    data = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["document", "id"])]

    def __str__(self) -> str:
        return f"update {self.id} of {self.document_id}"


class Membership(models.Model):
    """A user's role on a document someone shared with them (the owner needs none)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.document}"


class LinkVisit(models.Model):
    """Someone who opened a document through its link without being a member: from then on it
    is in their list ("Shared with me"), for as long as the link lets them in."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="link_visits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_visits"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_link_visit_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} opened {self.document} by its link"


class AccessRequest(models.Model):
    """Someone without access asking the owner for it; the owner grants a role or dismisses."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="access_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_access_request_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} asks for access to {self.document}"


class Version(models.Model):
    """A named snapshot of a document's content (a full Yjs update), kept for viewing and
    restoring; restoring applies it as a forward change, so history is never rewritten."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    snapshot = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.document})"


class Attachment(models.Model):
    """An image uploaded into a document, served only to those who may view the document.

    The file is the cleaned re-encoding (documents/attachments/images.py), never the upload
    itself; deleting the row, or its document, deletes the file (documents/attachments/files.py).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["created"])]

    def __str__(self) -> str:
        return f"attachment {self.id} of {self.document_id}"


# The search index's model lives with the search code; imported here so that Django finds it.
# So do the comments' (documents/comments/).
from documents.comments.models import Comment, CommentsSeen, CommentThread  # noqa: E402, F401
from documents.search.models import SearchText  # noqa: E402, F401


class Notification(models.Model):
    """Something that happened for someone: a document shared with them, someone asking for
    access to theirs, a mention of them or a reply to them in a comment. Shown in their list of
    notifications until read, and only while they may still open the document (see
    documents/notifications.py)."""

    class Kind(models.TextChoices):
        SHARED = "shared"  # `actor` shared `document` with the recipient
        ACCESS_REQUESTED = "access_requested"  # `actor` asks for access to `document`
        MENTIONED = "mentioned"  # `actor` mentioned the recipient in `comment`
        REPLIED = "replied"  # `actor` replied (`comment`) in a thread the recipient took part in

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    # What a mention or a reply is about; deleting the comment takes its notifications along.
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(null=True, blank=True)
    # When it went out by e-mail, or was settled as never to go (opted out, no access).
    emailed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}"


class NotificationSettings(models.Model):
    """How someone wants to be told: e-mail or not (in the app they always are)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"notification settings of {self.user}"

"""The roles a user can hold on a document (see access.py for who holds which)."""

from django.db import models


class Role(models.TextChoices):
    """A user's role on a document; memberships store one of the values. Each role holds the
    rights of those after it: owners manage, editors change the text, commenters comment,
    viewers read (all four join the live session and are seen there)."""

    OWNER = "owner"
    EDITOR = "editor"
    COMMENTER = "commenter"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        """Change the text, the title and the attachments; make and restore versions."""
        return self in (Role.OWNER, Role.EDITOR)

    @property
    def can_comment(self) -> bool:
        """Write comments on the text, without changing it."""
        return self is not Role.VIEWER

    @property
    def can_manage(self) -> bool:
        """Share, unshare and delete."""
        return self is Role.OWNER

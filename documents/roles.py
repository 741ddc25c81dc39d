"""The roles a user can hold on a document (see access.py for who holds which)."""

from django.db import models


class Role(models.TextChoices):
    """A user's role on a document; memberships store one of the values."""

    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self in (Role.OWNER, Role.EDITOR)

    @property
    def can_manage(self) -> bool:
        """Share, unshare and delete."""
        return self is Role.OWNER

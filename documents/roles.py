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

    def at_least(self, other: "Role | None") -> "Role":
        """The higher of this role and `other` (a member who also has the link holds both)."""
        if other is None:
            return self
        order = list(Role)  # highest first
        return self if order.index(self) <= order.index(other) else other


# What a link to the document (or a granted request) may give: never ownership.
LINK_ROLES = (Role.EDITOR, Role.COMMENTER, Role.VIEWER)
LINK_ROLE_CHOICES = [(role.value, role.label) for role in LINK_ROLES]


class LinkAccess(models.TextChoices):
    """Who may open a document by its link alone, with the document's `link_role`."""

    RESTRICTED = "restricted"  # members only
    AUTHENTICATED = "authenticated"  # anyone signed in
    PUBLIC = "public"  # anyone, signed in or not

    def admits(self, signed_in: bool) -> bool:
        return self is LinkAccess.PUBLIC or (self is LinkAccess.AUTHENTICATED and signed_in)

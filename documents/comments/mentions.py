"""Mentions in comment bodies: `<@username>` as clients write and read them, `<@pk>` as stored.

A stored mention is a reference to the account, so a renamed user is still the one mentioned,
and is shown under their current name. Someone may be mentioned only if they may open the
document: a mention cannot tell a stranger of it, nor confirm to a commenter that an account
exists.
"""

import re
from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from documents.access import role_on
from documents.people import display_name

# Django's usernames: letters, digits and @.+-_ (150 at most).
WRITTEN_MENTION = re.compile(r"<@([\w.@+-]{1,150})>")
STORED_MENTION = re.compile(r"<@(\d{1,20})>")


class MentionRefused(ValueError):
    """A body mentions someone who cannot be mentioned there (or mentions too many)."""


def store_mentions(
    body: str, document_id: UUID, max_mentions: int
) -> tuple[str, list[AbstractBaseUser]]:
    """The body as stored (each `<@username>` replaced by `<@pk>`) and the users it mentions.

    Raises MentionRefused for a username that names nobody who may open the document (the
    same answer for both, so that it confirms no account), or past `max_mentions`."""
    usernames = list(dict.fromkeys(WRITTEN_MENTION.findall(body)))
    if len(usernames) > max_mentions:
        raise MentionRefused(f"A comment may mention at most {max_mentions} people.")
    users = {user.get_username(): user for user in _users_named(usernames)}
    unknown = [name for name in usernames if name not in users]
    unknown += [name for name, user in users.items() if role_on(user, document_id) is None]
    if unknown:
        listed = ", ".join(sorted(unknown))
        raise MentionRefused(
            f"Only people who can open this document can be mentioned: {listed}. "
            "Its owner can share it with them first."
        )
    stored = WRITTEN_MENTION.sub(lambda match: f"<@{users[match[1]].pk}>", body)
    return stored, list(users.values())


def written_body(stored: str, mentioned: Iterable[AbstractBaseUser]) -> str:
    """A stored body as clients read it: each `<@pk>` as `<@current-username>`."""
    names = {str(user.pk): user.get_username() for user in mentioned}
    return STORED_MENTION.sub(lambda match: _written(names.get(match[1])), stored)


def plain_body(stored: str, mentioned: Iterable[AbstractBaseUser]) -> str:
    """A stored body as a sentence: each mention as `@Full Name` (for notifications)."""
    names = {str(user.pk): display_name(user) for user in mentioned}
    return STORED_MENTION.sub(lambda match: "@" + names.get(match[1], "someone"), stored)


def _written(username: str | None) -> str:
    # A mentioned account that was deleted leaves its mark as text.
    return f"<@{username}>" if username else "@deleted-user"


def _users_named(usernames: list[str]) -> list[AbstractBaseUser]:
    if not usernames:
        return []
    model = get_user_model()
    return list(model._default_manager.filter(**{f"{model.USERNAME_FIELD}__in": usernames}))

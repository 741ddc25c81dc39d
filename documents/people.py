"""People as others see them, and finding the account that a username or e-mail address names."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser


class PersonNotFound(Exception):
    """No single account answers to what was typed; the message says why, in plain words."""


def display_name(user: AbstractBaseUser) -> str:
    """What other people see: the full name, else the username."""
    return user.get_full_name() or user.get_username()


def find_person(identifier: str) -> AbstractBaseUser:
    """The account that `identifier` names: the one with that exact username, else, when it
    has an @, the one with that e-mail address in any case (accounts may have none).

    Raises PersonNotFound when no account answers, or when several share the address. The
    message tells whether an account exists, so only callers that may know (a document's
    owners) may see it.
    """
    users = get_user_model()._default_manager
    try:
        return users.get_by_natural_key(identifier)
    except users.model.DoesNotExist:
        pass
    if "@" not in identifier:
        raise PersonNotFound(f"No user named '{identifier}'")
    email_field = users.model.get_email_field_name()
    matches = list(users.filter(**{f"{email_field}__iexact": identifier})[:2])
    if not matches:
        raise PersonNotFound(f"No user with the e-mail address '{identifier}'")
    if len(matches) > 1:
        raise PersonNotFound(
            f"Several accounts have the e-mail address '{identifier}'; share by username instead."
        )
    return matches[0]

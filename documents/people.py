"""People as others see them, and finding the account that a username or e-mail address names."""

import colorsys
import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser


class PersonNotFound(Exception):
    """No single account answers to what was typed; the message says why, in plain words."""


def display_name(user: AbstractBaseUser) -> str:
    """What other people see: the full name, else the username."""
    return user.get_full_name() or user.get_username()


def user_color(user_id: object) -> str:
    """A stable colour for a user, as `#rrggbb`, derived from their id.

    Integer ids step round the colour wheel by the golden angle, so that users created one
    after another get clearly different hues; other ids are hashed first. Saturation and
    lightness keep white text on it (caret labels, avatar initials) readable, with yellows and
    greens a little darker; the collaboration caret only accepts six-digit hex colours.
    """
    if isinstance(user_id, int):
        number = user_id
    else:
        number = int.from_bytes(hashlib.sha256(f"user:{user_id}".encode()).digest()[:4], "big")
    hue = (number * 137.508) % 360
    lightness = 0.36 if 45 <= hue <= 170 else 0.45
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, 0.68)
    return "#{:02x}{:02x}{:02x}".format(*(round(channel * 255) for channel in (red, green, blue)))


def presence_user(user: AbstractBaseUser) -> dict:
    """How others see this account beside its caret and avatar: its name and colour."""
    return {"name": display_name(user), "color": user_color(user.pk)}


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

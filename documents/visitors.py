"""Anonymous visitors of a public document: how others see them and tell them apart.

Someone who opens a public link signed out has no account; each socket of theirs is a visitor
of its own, with an animal name (as in other editors: "Anonymous Otter") and a colour derived
from a random id, so that presence can bind client ids to it like to an account.
"""

import secrets

from django.contrib.auth.models import AnonymousUser

ANIMALS = (
    "Badger", "Beaver", "Bison", "Camel", "Crane", "Dolphin", "Falcon", "Ferret", "Fox",
    "Gecko", "Heron", "Ibex", "Koala", "Lemur", "Lynx", "Marten", "Moose", "Narwhal", "Ocelot",
    "Otter", "Owl", "Panda", "Pelican", "Puffin", "Quokka", "Raven", "Seal", "Sloth", "Swan",
    "Tapir", "Walrus", "Wombat", "Yak", "Zebra",
)  # fmt: skip


class AnonymousVisitor(AnonymousUser):
    """A signed-out visitor: not authenticated, but with an id of its own (a string, never an
    account's number) and a name to be shown by."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        self.id = self.pk = f"visitor:{token}"
        self.animal = ANIMALS[int(token, 16) % len(ANIMALS)]

    def get_full_name(self) -> str:
        return f"Anonymous {self.animal}"

    def __str__(self) -> str:
        return self.get_full_name()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnonymousVisitor) and other.pk == self.pk

    def __hash__(self) -> int:
        return hash(self.pk)

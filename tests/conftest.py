"""Shared fixtures: users, documents, tokens, and a clean session registry per test."""

import itertools
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Document
from documents.realtime.registry import registry
from tests.server import DaphneServer

_numbers = itertools.count()


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Path:
    """A migrated database with the user alice, for the tests' real servers to copy."""
    server = DaphneServer(tmp_path_factory.mktemp("template"))
    server.create_user("alice")
    return Path(server.env["DATABASE_URL"].removeprefix("sqlite:///"))


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    """Throttling counts requests in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs most of a second per user; tests do not need it to be slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """Factory: a new user with a unique name and the password `password-123!`."""

    def make(username: str | None = None, **extra):
        name = username or f"user{next(_numbers)}"
        return get_user_model().objects.create_user(
            name, f"{name}@example.com", "password-123!", **extra
        )

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def make_document(db):
    """Factory: a new document owned by `owner`."""

    def make(owner, title: str = "A document") -> Document:
        return Document.objects.create(owner=owner, title=title)

    return make


@pytest.fixture
def token_for(db):
    """Factory: the API token key of a user."""

    def make(user) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    return make


@pytest.fixture
def client_for(token_for):
    """Factory: an API client signed in as `user` (by token)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return make


@pytest.fixture
async def clean_registry():
    """Unload every session after the test, so no session outlives its event loop."""
    yield registry
    await registry.unload_all()


async_db = database_sync_to_async

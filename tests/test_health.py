"""/healthz (documents/health.py): public, so up or down and nothing more; the log says what
failed."""

import asyncio
import logging

import pytest
from django.db import OperationalError
from django.test import Client

from documents import health

pytestmark = pytest.mark.django_db


def test_healthz_says_ok_and_nothing_more():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_failed_check_is_503_and_the_details_go_to_the_log(monkeypatch, caplog):
    def database_down() -> None:
        raise OperationalError('connection to server at "db.internal" (10.1.2.3) failed')

    async def channel_layer_stuck() -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(health, "_check_database", database_down)
    monkeypatch.setattr(health, "_check_channel_layer", channel_layer_stuck)
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.05)
    with caplog.at_level(logging.WARNING, logger="documents.health"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"db.internal" not in response.content
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "health check database failed: OperationalError" in logged
    assert "db.internal" in logged
    assert "health check channel_layer failed: TimeoutError" in logged


def test_one_failed_check_is_enough_for_503(monkeypatch):
    async def channel_layer_down() -> None:
        raise ConnectionRefusedError("redis:6379")

    monkeypatch.setattr(health, "_check_channel_layer", channel_layer_down)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}

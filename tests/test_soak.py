"""The soak in its short form (bench/soak.py runs it for minutes): 200 sockets typing into 50
documents on a real daphne, short visits coming and going, then everyone leaves. And what lets
memory go back after the unload: an unloaded session is freed at once."""

import asyncio
import gc
import weakref

import pytest

from bench.soak import SoakPlan, run_soak
from documents.realtime.registry import registry
from tests.conftest import async_db
from tests.wsclients import connected

# 15 s of typing at 1 Hz per socket; a 1 s idle-unload grace so that the unload is seen soon.
PLAN = SoakPlan(sockets=200, documents=50, seconds=15, rate_hz=1.0, grace_s=1.0, visits_per_s=2)

# RSS after the unload against RSS at the start (daphne up, documents created, no socket yet).
# glibc keeps freed memory for reuse instead of returning it, so RSS stays where the working set
# of 200 sockets and 50 loaded documents took it: 9.5-10.1 MiB over the start in four runs of
# this plan (16.7-17.2 MiB for the full 120 s). The margin is 1.6 times that: what it catches is
# growth with the traffic, such as anything kept per insert (3,000 of them, each delivered to
# 3 others) from about 2 KiB up.
RSS_MARGIN_MIB = 16


@pytest.mark.slow
def test_a_short_soak_loses_nothing_and_goes_back_to_idle():
    figures = run_soak(PLAN)
    print(figures.render())
    assert figures.errors == []
    assert figures.connect_failed == 0
    assert figures.sent == PLAN.sockets * PLAN.seconds * PLAN.rate_hz
    assert figures.lost == 0
    assert figures.received == figures.expected
    assert figures.rooms_converged == PLAN.documents
    assert figures.late_joiner_ok
    assert figures.visits > 0
    assert figures.during_max.loaded_documents == PLAN.documents
    assert figures.after_unload.open_sockets == 0
    assert figures.after_unload.loaded_documents == 0
    assert figures.after_unload.rss_mib - figures.before.rss_mib < RSS_MARGIN_MIB


@pytest.mark.django_db(transaction=True)
async def test_an_unloaded_session_is_freed_at_once(
    user, make_document, token_for, settings, clean_registry
):
    """A Doc's content lives in Rust, out of the cyclic collector's sight (it neither counts it
    nor feels its size): a session left in a reference cycle stays in memory, Doc and all, until
    some full collection, which an idle process may not run for a long time."""
    settings.REALTIME = {**settings.REALTIME, "SESSION_GRACE_SECONDS": 0.05}
    document = await async_db(make_document)(user)
    token = await async_db(token_for)(user)
    async with connected(document.id, token) as client:
        await client.insert(0, "freed at once")
        await client.roundtrip()
        session = weakref.ref(registry.get(document.id))
    gc.disable()
    try:
        for _ in range(100):
            if not len(registry):
                break
            await asyncio.sleep(0.05)
        assert not len(registry)
        assert session() is None
    finally:
        gc.enable()

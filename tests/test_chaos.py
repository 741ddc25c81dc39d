"""The seeded randomized convergence test (issue 8): clients edit at random, drop their
connections, edit offline, while the server is stopped and killed; afterwards every client, a
fresh client and the stored document hold exactly what the clients authored (tests/chaos.py)."""

from dataclasses import replace

import pytest

from tests.chaos import USERNAME, ChaosSettings, chaos_server, run_seed

pytestmark = pytest.mark.slow

# Sized for the whole file to take well under a minute on two busy cores: each client makes
# about six seconds of edits, long enough for two restarts to land among them.
# `python -m tests.chaos` runs more seeds, clients and operations.
SETTINGS = ChaosSettings(clients=4, ops=60, restarts=2, pause=0.1, disconnect_chance=0.04)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = chaos_server(tmp_path_factory.mktemp("chaos"))
    server.start()
    yield server, server.token(USERNAME)
    server.stop()


@pytest.mark.parametrize(("seed", "documents"), [(1, 1), (2, 2), (3, 1)])
async def test_everyone_ends_with_what_was_authored(live, capsys, seed, documents):
    server, token = live
    figures = await run_seed(server, token, seed, replace(SETTINGS, documents=documents))
    with capsys.disabled():
        print(f"\nchaos seed {seed}: {figures.summary()}")
    # The run did what it claims: both kinds of restart, chosen disconnects, offline edits.
    assert (figures.restarts_term, figures.restarts_kill) == (1, 1)
    assert figures.disconnects > 0
    assert figures.offline_operations > 0

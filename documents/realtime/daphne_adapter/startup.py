"""The adapter's start-up: check what each job relies on, install the jobs that pass, and say in
one log line which are on, and why any is off.

`install()` runs when the ASGI application loads (asgi.py), before daphne makes its Server. The
access log and the shutdown flush are installed then; the message limits and the direct path
need the server itself, and are applied when daphne's `Server.run` starts, which is also how
the adapter learns that daphne serves this process. Under another server (uvicorn, Channels'
test communicator) `run` never starts and every socket uses plain ASGI.

The line is logged once: by `install()` in a process that daphne's command line did not start
(and again by `run`, should such a process start daphne's Server itself), else once the reactor
runs, with the message limits read from daphne's WebSocket factory.
"""

import functools
import logging
import sys
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from documents.realtime.daphne_adapter import (
    access_log,
    internals,
    message_limits,
    multipart,
    receive_loop,
    send_paths,
    shutdown,
)
from documents.realtime.daphne_adapter.message_limits import MessageLimits

logger = logging.getLogger(__name__)

DIRECT_SEND = "direct send"
MESSAGE_LIMITS = "message limits"
ACCESS_LOG = "access log masking"
SHUTDOWN_FLUSH = "shutdown flush"
RECEIVE_LOOP = "plain receive loop"
MULTIPART = "multipart left to Django"
JOBS = {
    DIRECT_SEND: internals.direct_send,
    MESSAGE_LIMITS: internals.message_limits,
    ACCESS_LOG: internals.access_log,
    SHUTDOWN_FLUSH: internals.shutdown_flush,
    MULTIPART: internals.multipart,
}
# Jobs applied when daphne's Server.run starts.
AT_SERVER_START = (DIRECT_SEND, MESSAGE_LIMITS)
# Modules that only a process started by daphne's command line has loaded.
DAPHNE_COMMAND_LINES = ("daphne.cli", "daphne.management.commands.runserver")


@dataclass
class Report:
    """Which of the adapter's jobs are on, and what each one that is off lacks."""

    on: list[str] = field(default_factory=list)
    off: dict[str, list[str]] = field(default_factory=dict)

    def is_on(self, job: str) -> bool:
        return job in self.on

    def turn_off(self, job: str, missing: list[str]) -> None:
        if job in self.on:
            self.on.remove(job)
        self.off[job] = missing

    def line(self, limits: MessageLimits | None = None) -> str:
        """The start-up line under daphne, with the message limits in force if known."""
        on = [
            f"{job} (outgoing {_size(limits.outgoing)}, incoming {_size(limits.incoming)})"
            if job == MESSAGE_LIMITS and limits is not None
            else job
            for job in self.on
        ]
        return (
            f"daphne adapter: {_versions()} serve this process; on: {', '.join(on) or 'none'}; "
            f"off: {self._off()}"
        )

    def not_serving_line(self) -> str:
        """The start-up line when daphne does not serve this process."""
        loop = RECEIVE_LOOP
        if not self.is_on(RECEIVE_LOOP):
            loop = f"Channels' own ({', '.join(self.off[RECEIVE_LOOP])})"
        return (
            "daphne adapter: daphne does not serve this process (no daphne command line); "
            f"every socket uses plain ASGI; receive loop: {loop}"
        )

    def _off(self) -> str:
        return (
            "; ".join(f"{job} (missing: {', '.join(missing)})" for job, missing in self.off.items())
            or "none"
        )


def check() -> Report:
    """What the installed daphne, autobahn, Twisted and Channels let the adapter do."""
    report = Report()
    for job, needs in JOBS.items():
        missing = internals.missing_for(needs)
        if job in AT_SERVER_START:
            missing = internals.missing_for(internals.server_start) + missing
        if missing:
            report.off[job] = missing
        else:
            report.on.append(job)
    if receive_loop.reason_for_channels_loop:
        report.off[RECEIVE_LOOP] = [receive_loop.reason_for_channels_loop]
    else:
        report.on.append(RECEIVE_LOOP)
    return report


_installed: Report | None = None


def install() -> Report:
    """Check and install the adapter, once per process; returns what is on."""
    global _installed
    if _installed is not None:
        return _installed
    _installed = report = check()
    hooked = any(report.is_on(job) for job in AT_SERVER_START)
    if hooked or report.is_on(ACCESS_LOG):
        from daphne.server import Server

        if report.is_on(ACCESS_LOG):
            access_log.install(Server)
        if hooked:
            _hook_server_start(Server, report)  # which logs the line
    if report.is_on(SHUTDOWN_FLUSH):
        shutdown.install()
    if report.is_on(MULTIPART):
        multipart.install()
    if not any(name in sys.modules for name in DAPHNE_COMMAND_LINES):
        logger.info(report.not_serving_line())
    elif not hooked:
        logger.info(report.line())  # daphne serves, but its start cannot be hooked
    return report


def _hook_server_start(server_class: Any, report: Report) -> None:
    original_run = server_class.run

    @functools.wraps(original_run)  # a second check reads daphne's own run
    def run(server: Any) -> None:
        started(server, report)
        original_run(server)

    server_class.run = run


def started(server: Any, report: Report) -> None:
    """What daphne's Server.run does first: apply the message limits, turn the direct path on,
    and say what is on once the reactor runs (the server's WebSocket factory is made by then)."""
    if report.is_on(MESSAGE_LIMITS):
        message_limits.apply(server)
    if report.is_on(DIRECT_SEND):
        send_paths.turn_on(type(server).handle_reply)
    from twisted.internet import reactor

    reactor.callWhenRunning(_say_what_is_on, server, report)


def _say_what_is_on(server: Any, report: Report) -> None:
    limits = None
    if report.is_on(MESSAGE_LIMITS):
        limits = message_limits.in_force(server)
        if limits is None:
            report.turn_off(MESSAGE_LIMITS, ["the bounded protocol in daphne's WebSocket factory"])
    logger.info(report.line(limits))


def _versions() -> str:
    versions = []
    for package in ("daphne", "autobahn", "Twisted"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (version unknown)")
    return ", ".join(versions)


def _size(limit: int) -> str:
    if limit == 0:
        return "no limit"
    mib, rest = divmod(limit, 1024 * 1024)
    return f"{mib} MiB" if not rest else f"{limit} bytes"

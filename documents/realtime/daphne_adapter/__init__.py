"""The one place that reaches into daphne, autobahn, Twisted and Channels internals.

Each module has one job:
- startup.py: at start-up, checks that the internals each job relies on are there
  (internals.py), installs the jobs that pass, and logs one line saying which are on;
- direct_send.py: writes broadcast frames straight onto daphne's sockets, and bounds what is
  queued for each (issue 14); send_paths.py gives each socket a direct path as it opens, or
  leaves it to plain ASGI for its whole life;
- message_limits.py and bounded_protocol.py: large messages out, the consumer's limit in,
  counted over fragments, and no limit the operator passed to daphne lowered;
- access_log.py: daphne's access log without the secrets of query strings;
- shutdown.py: every loaded document flushed before the reactor stops;
- receive_loop.py: the consumer's receive loop, in place of Channels' own.

Anything missing turns its job off, never the server: the fallback is plain ASGI, daphne's own
limits and logging.
"""

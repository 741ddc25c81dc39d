"""The project's own benchmark: a load generator for the y-websocket endpoint (see run.py)."""

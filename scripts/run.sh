#!/usr/bin/env bash
# `make run`: the product as it is deployed, on the embedded defaults (SQLite, the in-memory
# channel layer), in production mode over plain HTTP. HOST and PORT choose where it listens;
# DJANGO_DEBUG=1 (what `make dev` sets) gives debug mode. The secret key is made once and kept
# in .local/secret_key (ignored by git), so that sessions survive restarts.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
KEY_FILE=.local/secret_key
if [ -z "${DJANGO_SECRET_KEY:-}" ] && [ ! -s "$KEY_FILE" ]; then
  mkdir -p .local
  (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$KEY_FILE")
fi
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(cat "$KEY_FILE")}
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export DJANGO_SECURE=${DJANGO_SECURE:-0}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$HOST}

mode=production; [ "$DJANGO_DEBUG" = 1 ] && mode=debug
echo "Serving on http://$HOST:$PORT/ ($mode mode; REST API at /api/, WebSocket at ws://$HOST:$PORT/ws/documents/<id>)"
exec .venv/bin/daphne -b "$HOST" -p "$PORT" project_name.asgi:application

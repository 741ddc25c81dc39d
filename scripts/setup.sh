#!/usr/bin/env bash
# Idempotent set-up: a .venv with Python >= 3.12 and the project's dependencies, the Node packages
# of the interop tests, and the database migrations. Re-running it does only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidates=("${PYTHON:-}" python3.13 python3.12)
  local root
  if root=$(pyenv root 2>/dev/null); then
    candidates+=("$root"/versions/3.13*/bin/python "$root"/versions/3.12*/bin/python)
  fi
  candidates+=(python3)
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  if ! python=$(find_python); then
    echo "error: Python 3.12 or newer is required (Django 6 needs it); install one, or set PYTHON=/path/to/python3.12" >&2
    exit 1
  fi
  rm -rf .venv
  echo "creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi

# Exact versions with their hashes (requirements-dev.lock, compiled from pyproject.toml; see
# the README), then the project itself, which brings nothing more.
if [ ! -f .venv/.installed ] || [ requirements-dev.lock -nt .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --require-hashes -r requirements-dev.lock
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch .venv/.installed
fi

if [ ! -f tests/interop/node_modules/.installed ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.installed ]; then
  command -v npm >/dev/null || { echo "error: Node.js and npm are required for the interop tests" >&2; exit 1; }
  (cd tests/interop && npm ci --no-audit --no-fund --silent)
  touch tests/interop/node_modules/.installed
fi

if [ ! -f editor_frontend/node_modules/.installed ] || [ editor_frontend/package-lock.json -nt editor_frontend/node_modules/.installed ]; then
  (cd editor_frontend && npm ci --no-audit --no-fund --silent)
  touch editor_frontend/node_modules/.installed
fi
# The editor bundle (documents/static/editor/) is built, not committed.
if [ ! -f documents/static/editor/editor.js ] || [ -n "$(find editor_frontend/src editor_frontend/vite.config.js editor_frontend/node_modules/.installed -newer documents/static/editor/editor.js -print -quit)" ]; then
  (cd editor_frontend && npm run build --silent >/dev/null)
fi

# What production mode serves (hashed, compressed copies in staticfiles/, ignored by git).
# Collected again when the apps' files, the installed packages or the storage changed.
if [ ! -f staticfiles/staticfiles.json ] || [ -n "$(find documents/static .venv/.installed project_name/static_storage.py -newer staticfiles/staticfiles.json -print -quit)" ]; then
  DJANGO_DEBUG=0 DJANGO_STATIC_COLLECTED=1 DJANGO_SECRET_KEY=collectstatic .venv/bin/python manage.py collectstatic --noinput --clear >/dev/null
fi

.venv/bin/python manage.py migrate --noinput >/dev/null

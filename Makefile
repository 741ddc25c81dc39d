# The README's commands. `make run` serves the editor on the embedded defaults (SQLite, in-memory
# channel layer); `make test` runs every test.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint

setup:
	@bash scripts/setup.sh

run: setup
	@echo "Serving on http://$(HOST):$(PORT)/ (REST API at http://$(HOST):$(PORT)/api/, WebSocket at ws://$(HOST):$(PORT)/ws/documents/<id>)"
	.venv/bin/daphne -b $(HOST) -p $(PORT) project_name.asgi:application

test: setup
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# The README's commands. `make run` serves the editor on the embedded defaults (SQLite, in-memory
# channel layer) in production mode, `make dev` in debug mode; `make test` runs every test.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run dev test lint bench
BENCH_ARGS ?=

setup:
	@bash scripts/setup.sh

run: setup
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# The same in debug mode: Django's debug settings, static files served as they are.
dev: setup
	@HOST=$(HOST) PORT=$(PORT) DJANGO_DEBUG=1 bash scripts/run.sh

# Two runs: sync Playwright and pytest-asyncio clash in one process.
test: setup
	.venv/bin/python -m pytest
	.venv/bin/python -m pytest e2e -p no:asyncio -p no:django

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# The project's own benchmark (bench/README.md); compare with the peers via ../shared/bench.
bench: setup
	.venv/bin/python bench/run.py $(BENCH_ARGS)

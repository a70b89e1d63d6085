# Each target installs what it needs into .venv on first use, so it is the only command needed:
# running (demo, dev, api) installs the product alone; test, lint and bench add the test tools.
# pip says what it fetches and installs as it goes (minutes on a new laptop, seconds after).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PIP := $(BIN)/pip install --disable-pip-version-check --progress-bar on

$(VENV)/bin/pip:
	@echo "==> creating $(VENV) (Python: $$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PIP) --quiet --upgrade pip setuptools

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/pip
	@echo "==> installing Waypost and what it needs to run (first run only)"
	$(PIP) -e .
	@touch $(RUN_STAMP)
	@echo "==> installed"

$(STAMP): pyproject.toml | $(VENV)/bin/pip
	@echo "==> installing Waypost with its test and lint tools (first run only)"
	$(PIP) -e '.[dev]'
	@touch $(STAMP) $(RUN_STAMP)
	@echo "==> installed"

demo: $(RUN_STAMP)
	$(BIN)/waypost demo

dev: $(RUN_STAMP)
	$(BIN)/waypost dev

api: $(RUN_STAMP)
	$(BIN)/waypost api

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy .

# The deployment (docker-compose.yml, Dockerfile, the env file example) checked without a Docker
# daemon: the Compose schema and every reference into the project (README, "Deployment").
compose-check: $(STAMP)
	$(BIN)/python -m deploy.check

# After a change to messages/templates.py: the English texts extracted (N_, NC_ with msgctxt,
# "Translators:" comments) and merged into every language's PO file, where a changed text shows
# up fuzzy or untranslated for its translator (tests/test_messages.py fails until it is done).
translations: $(STAMP)
	mkdir -p .waypost
	$(BIN)/pybabel -q extract -F babel.cfg -k NC_:1c,2 -c Translators: --no-location \
		--project Waypost --version 0.1.0 -o .waypost/waypost.pot .
	$(BIN)/pybabel -q update -i .waypost/waypost.pot -d messages/locale -D waypost

# Regenerates deploy/waypost.env.example from infra/settings.py (compose-check fails when stale).
env-example: $(STAMP)
	$(BIN)/python -m deploy.envfile

test: $(STAMP) lint typecheck compose-check
	$(BIN)/pytest

soak: $(STAMP)
	WAYPOST_SOAK_KILLS=$${KILLS:-10} $(BIN)/pytest tests/test_crash.py

# Benchmarks: figures beside their references in one run; reports in .waypost/bench/.
# BENCH_ARGS passes options through, e.g. make bench BENCH_ARGS='-n 100 --no-demo'.
# Bytecode is compiled first, as an installed package has it: Temporal's sandbox imports the
# workflow module afresh for every workflow run, and without a .pyc (PYTHONDONTWRITEBYTECODE,
# an editable install) it compiles the source every time.
N ?= 100000
BYTECODE := $(BIN)/python -m compileall -q models messages infra ledger carriers workflows activities api

bench: $(STAMP)
	$(BYTECODE)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

bench-scale: $(STAMP)
	$(BYTECODE)
	$(BIN)/python -m benchmarks.scale --shipments $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .waypost .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-output

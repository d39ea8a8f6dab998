# The newcomer's commands: `make sandbox` (run the demo) and `make test` (every check).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PO     := locales/vi/LC_MESSAGES/messages.po
MO     := locales/vi/LC_MESSAGES/messages.mo

.PHONY: install lock lint locales locales-update test test-fast test-future coverage bench sandbox clean

# Installs exactly what requirements-dev.lock names (a superset of requirements.lock, what the image
# installs), then the project itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## lock: the deliberate upgrade: resolve pyproject.toml's ranges again into both lock files
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile -q --upgrade --python-version 3.11 pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile -q --upgrade --python-version 3.11 pyproject.toml --extra test -c requirements.lock -o requirements-dev.lock

## lint: ruff, the import contracts of docs/architecture.md, scoring's standard-library rule, and one clock (tests/test_one_clock.py)
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python tools/check_pure.py scoring --allow scoring.loader:yaml
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_one_clock.py

## locales: compile the Vietnamese catalogue (the tests check it is complete)
$(MO): $(PO) | install
	$(BIN)/pybabel compile -d locales -D messages --statistics
locales: $(MO)

## locales-update: extract new strings from the code into the catalogue (then translate them)
locales-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages -l vi --no-fuzzy-matching --ignore-obsolete

## test: every check. Storage and service tests also run on PostgreSQL when it is installed
## (tools/pg-test-server.sh starts a throwaway cluster on port 55432); CI always installs it.
test: lint locales
	@url=$${DTI_TEST_POSTGRES_URL:-$$(tools/pg-test-server.sh start 2>/dev/null || true)}; \
	if [ -n "$$url" ]; then export DTI_TEST_POSTGRES_URL="$$url"; \
	else echo "note: PostgreSQL is not installed here, its tests are skipped (CI installs it)"; fi; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the in-process tests (no e2e, browser or `slow` ones: tests/cli, tests/ops, packaging), under a minute
test-fast: install locales
	$(BIN)/python -m pytest -x -q -m "not e2e and not browser and not slow" $(PYTEST_ARGS)

## coverage: test-fast's selection under coverage, then each package against its floor (tools/coverage_floor.py)
coverage: install locales
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not e2e and not browser and not slow" \
		--cov=bot --cov=scoring --cov=storage --cov-report=json:build/coverage.json --cov-report= $(PYTEST_ARGS)
	$(BIN)/python tools/coverage_floor.py build/coverage.json

## test-future: the in-process suite with the machine's clock years ahead (Debian's faketime): no test
## may depend on the day it runs. CI runs it after `make test`.
test-future: install locales
	faketime '$(FUTURE)' $(BIN)/python -m pytest -q -p no:cacheprovider -m "not e2e and not browser and not slow" $(PYTEST_ARGS)
FUTURE ?= 2031-02-03 00:30:00

bench: install locales
	@status=0; for f in bench/[a-z]*.py; do echo "== $$f"; $(BIN)/python $$f || status=1; done; exit $$status

## sandbox: the bot, a Bot API emulator and a web chat page on http://127.0.0.1:$(PORT)/ (all offline)
PORT ?= 8081
sandbox: install locales
	$(BIN)/dti-bot sandbox --port $(PORT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis $(MO)

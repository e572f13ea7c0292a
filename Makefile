# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
RUN_ARGS ?= --scenario seed --prosumers 100 --hours 24 --seed 42 --out results/

.PHONY: install run test lint bench docs clean

install: $(STAMP)

# Re-install when the dependency list changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || { PYTHON_BIN=$$(sh tools/find-python.sh) && echo "creating $(VENV) with $$PYTHON_BIN" && "$$PYTHON_BIN" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# byte-compile the project's own modules (pip does it for site-packages; an editable
	@# install's sources are compiled on first import, unless PYTHONDONTWRITEBYTECODE is set)
	$(PY) -m compileall -q community_model agents market chain >/dev/null
	@touch $(STAMP)

run: install
	$(VENV)/bin/community-sim run $(RUN_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks

# The documentation site into docs/_build/html (warnings are errors, as in CI; works offline).
docs: install
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis docs/_build

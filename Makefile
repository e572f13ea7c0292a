# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
LOCK    := requirements/lock.txt
RUN_ARGS ?= --scenario seed --prosumers 100 --hours 24 --seed 42 --out results/

.PHONY: install run test lint bench docs lock clean

install: $(STAMP)

# Re-install when the dependency list or the lock changes: the pinned set first, then the
# project itself (editable) without letting pip pick other versions.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || { PYTHON_BIN=$$(sh tools/find-python.sh) && echo "creating $(VENV) with $$PYTHON_BIN" && "$$PYTHON_BIN" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e '.[dev]'
	$(PY) -m pip check
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

# Re-pin requirements/lock.txt: a fresh environment with the project and every extra, frozen.
lock:
	@PYTHON_BIN=$$(sh tools/find-python.sh) && rm -rf .lock-venv && "$$PYTHON_BIN" -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[dev]'
	{ sed -n '1,/^[^#]/{/^#/p}' $(LOCK); .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^prosumer-community-sim'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .lock-venv

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis docs/_build

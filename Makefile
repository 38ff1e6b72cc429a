# Konsens: the two commands a newcomer needs are `make demo` and `make test`.
# Both create .venv when it is missing and re-install when requirements-dev.lock has changed.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Daphne's own pings give up after 20 + 70 s, so a frozen client is closed by the room's
# heartbeat first (4408 after ROOM_PRESENCE_TIMEOUT, 60 s; docs/protocol.md).
DAPHNE_PING := --ping-interval 20 --ping-timeout 70

.PHONY: demo test lint typecheck migrations-check pytest install messages clean help bench soak

help:
	@echo "make demo      install, migrate, load the demo and serve it on http://$(HOST):$(PORT)/"
	@echo "               (make demo PORT=8123 for another port)"
	@echo "make test      ruff, mypy, makemigrations --check and the whole pytest suite"
	@echo "               (make pytest PYTEST_ARGS='tests/config -x' for a part)"
	@echo "make messages  refresh and compile the translations (de en tr ar uk, docs/languages.md)"
	@echo "make bench     fan-out and HTTP benchmarks on PostgreSQL + Redis (docs/performance.md)"
	@echo "make soak      10-minute soak: 200 clients posting, voting, reconnecting (not in CI)"
	@echo "make clean     remove .venv and var/"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Konsens needs Python >= 3.11; this is " + sys.version.split()[0] + ". Try: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install whenever the lock file (or pyproject.toml) is newer than the last successful
# install: exactly the locked versions, hashes checked, then the project itself (editable,
# without dependencies). Regenerating the lock: docs/development.md, "Dependencies".
$(STAMP): requirements-dev.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, load the demo and serve it with Daphne on $(HOST):$(PORT)
demo: $(STAMP)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	@echo ""
	@echo "Konsens runs at   http://$(HOST):$(PORT)/"
	@echo "Live rooms:       http://$(HOST):$(PORT)/raeume/"
	@echo "API docs:         http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "Admin:            http://$(HOST):$(PORT)/admin/  (admin / konsens-demo)"
	@echo "Health:           http://$(HOST):$(PORT)/healthz"
	@echo "Stop with Ctrl+C."
	$(PY) -m daphne -b $(HOST) -p $(PORT) $(DAPHNE_PING) config.asgi:application

## make test: ruff, mypy, makemigrations --check and the whole pytest suite
test: lint typecheck migrations-check pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy config kernel api deliberation attendance participation assist rooms voting notifications accounts frontend

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## make messages: refresh the catalogues of all five languages (msgmerge keeps every
## translation), rebuild the English fallback of tr/ar/uk and compile (docs/languages.md)
LANGS := -l de -l en -l tr -l ar -l uk
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=locale_fallback
messages: $(STAMP)
	$(PY) manage.py makemessages $(LANGS) $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages -d djangojs $(LANGS) $(MESSAGES_IGNORE)
	$(PY) -m config.languages
	$(PY) manage.py compilemessages --ignore=.venv

## make bench / make soak: need PostgreSQL and Redis (BENCH_ARGS / SOAK_ARGS for options)
bench: $(STAMP)
	$(PY) -m bench.fanout --two-process --with-5000 --pool $(BENCH_ARGS)
	$(PY) -m bench.http --pool

soak: $(STAMP)
	$(PY) -m bench.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var

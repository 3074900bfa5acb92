# adv: two commands on a fresh machine with Python 3.11 (see README).
#   make run    the whole product on http://127.0.0.1:8000 (embedded PostgreSQL/Redis unless configured)
#   make test   the whole test suite (on DATABASE_URL / REDIS_URL when set, else embedded servers)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha256sum | cut -c1-12)
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2

.PHONY: install run test lint bench messages clean

$(STAMP): requirements/base.txt requirements/dev.txt requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m adv.embedded run

test: install
	$(PY) -m adv.embedded exec -- $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff (RUF100 included: a `noqa` that silences nothing fails) and no model change without its migration.
lint: install
	$(VENV)/bin/ruff check .
	DB_POOL=0 $(PY) -m adv.embedded exec -- $(PY) -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m adv.embedded exec -- $(PY) -m benchmarks

# Extract and compile translations (needs GNU gettext; the compiled .mo files are committed).
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	$(PY) -m adv.embedded clean

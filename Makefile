# Tongxin: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test lint format install install-test vendor migrate seed worker beat messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

# Browser libraries from npm, unpacked into static/vendor/ (not committed): Apache ECharts for
# the grid report's charts. Without npm the report shows its tables instead of charts.
ECHARTS_VERSION := 6.1.0
VENDOR := static/vendor
$(VENDOR)/echarts/echarts.min.js:
	@tmp=$$(mktemp -d) && mkdir -p $(VENDOR)/echarts && \
	  (cd $$tmp && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null && \
	   tar -xzf echarts-$(ECHARTS_VERSION).tgz) && \
	  cp $$tmp/package/dist/echarts.min.js $$tmp/package/LICENSE $(VENDOR)/echarts/ && \
	  rm -rf $$tmp || { rm -rf $$tmp; echo "npm pack echarts failed: the grid report shows tables"; }
vendor: $(VENDOR)/echarts/echarts.min.js

install: $(VENV)/.installed vendor
install-test: $(VENV)/.installed-test vendor

# The embedded demo: SQLite in the project, Celery tasks in-process.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install-test
	DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles $(VENDOR)

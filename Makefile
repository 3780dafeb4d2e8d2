# The two commands of the README: `make demo` runs the demo server, `make test` the whole suite.
# Both install what they need first (Debian packages when run as root, then the virtualenv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test deps venv lint bench-smtp bench-register clean-demo

demo: deps venv
	./scripts/demo.sh

test: deps venv
	$(BIN)/ruff check govmail tests bench migrations
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

deps:
	./scripts/install-debian-packages.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

lint: venv
	$(BIN)/ruff check govmail tests bench migrations

bench-smtp: deps venv
	$(BIN)/python bench/smtp_delivery.py

bench-register: deps venv
	$(BIN)/python bench/register.py

clean-demo:
	rm -rf data

# Evaluation workbench: two commands do everything on a fresh machine.
#   make demo   create .venv, install, register the `evaluation` kernel, run the main job on data_samples/
#   make test   install what the tests need (incl. Debian's chromium) and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := evaluation
PORT ?= 8866

.PHONY: help install kernel samples demo test test-fast chromium dashboard bench screenshots clean

help:
	@echo "make demo       - set up .venv and run every sample evaluation (snapshots/)"
	@echo "make test       - install test needs and run the whole test suite"
	@echo "make dashboard  - serve the board dashboards with Voila on 127.0.0.1:$(PORT) (evaluator: evaluation dashboard --evaluator)"
	@echo "make bench      - run the benchmark suite (BENCHMARKS.md)"
	@echo "make screenshots - run every sample and redraw docs/screenshots/board/ (reports, PDF, Word, dashboards)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (evaluation)"
	touch $(STAMP)

install: $(STAMP)

kernel: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (evaluation)"

samples: $(STAMP)
	$(PY) -m evaluation samples --if-missing

demo: samples
	$(VENV)/bin/evaluation key --init
	$(VENV)/bin/evaluation summary
	$(VENV)/bin/evaluation run --all --jobs 2

chromium:
	@# browser tests, kaleido (plotly -> PNG) and PDF: Chromium; Word -> PDF: LibreOffice Writer; pdftotext/pdftoppm: poppler
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi "liberation" || missing="$$missing fonts-liberation"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the tests:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(STAMP) chromium
	@# 1. everything but the browser tests on two pytest-xdist workers (a test file stays on one worker);
	@# 2. the browser tests alone, one at a time (Voilà kernels, Chromium and their timeouts get the machine).
	@# The sample snapshot is built once and shared by both (EVALUATION_TEST_SHARED, tests/conftest.py).
	@shared=$$(mktemp -d); rc=0; \
	EVALUATION_TEST_SHARED=$$shared $(PY) -m pytest -q -n 2 --dist loadfile -m "not browser and not bench" || rc=1; \
	EVALUATION_TEST_SHARED=$$shared $(PY) -m pytest -q -m browser || rc=1; \
	rm -rf "$$shared"; exit $$rc

test-fast: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile -m "not browser and not notebook"

dashboard: samples
	$(VENV)/bin/evaluation dashboard --port $(PORT)

bench: samples chromium
	$(PY) -m evaluation.bench
	EVALUATION_STADNING=1 $(PY) -m pytest -q -m bench tests/

screenshots: samples chromium
	$(VENV)/bin/evaluation key --init
	$(PY) -m evaluation.screenshots

clean:
	rm -rf $(VENV) snapshots .pytest_cache

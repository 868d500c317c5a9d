# govopen — one-command setup, tests and reproduction (GNU make).
#
#   make test       create .venv if needed, lint (ruff, mypy), run the whole test suite
#   make test-fast  the same without the tests marked slow (about 2 CPU minutes; 4 minutes
#                   on a 2-core machine shared with other jobs)
#   make reproduce  create .venv if needed, build data/processed, run the notebooks
#
# Everything runs inside a local virtualenv (.venv) made with `$(PYTHON) -m venv`;
# the package and its dev extras are (re)installed only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv install lint test test-fast data notebooks reproduce clean

help:
	@echo "make test       lint (ruff, mypy) + pytest, in .venv"
	@echo "make test-fast  lint + pytest without the tests marked slow (about 2 CPU minutes)"
	@echo "make reproduce  make data, then execute notebooks/*.ipynb"
	@echo "make data       $(VPY) -m govopen build data/raw -o data/processed"
	@echo "make notebooks  execute notebooks/*.ipynb headless (en and zh figures in reports/)"
	@echo "make lint       ruff check govopen tests; mypy govopen"
	@echo "make venv       create .venv and install '.[dev]'"
	@echo "make clean      remove .venv, build artefacts and data/processed/*"

# The interpreter exists once the venv has been created.
$(VPY):
	$(PYTHON) -m venv $(VENV)

# Re-install whenever pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -e '.[dev]'
	touch $@

venv install: $(STAMP)

lint: $(STAMP)
	$(VPY) -m ruff check govopen tests
	$(VPY) -m mypy govopen

test: lint
	$(VPY) -m pytest

test-fast: lint
	$(VPY) -m pytest -m "not slow"

data: $(STAMP)
	$(VPY) -m govopen build data/raw -o data/processed

# Executes notebooks/*.ipynb in order on data/processed (kernel: this venv's Python),
# once with English and once with Chinese figure labels;
# figures -> reports/figures, tables -> reports/tables (both *_en and *_zh),
# executed HTML -> reports/notebooks (*.en.html, *.zh.html). Not build/: pip's
# setuptools writes build/lib there. notebooks/ itself is never written.
# Fails naming the notebook that failed.
notebooks: $(STAMP)
	$(VPY) -m govopen.run_notebooks --out reports --lang en zh

# Data first, then the notebooks that read it (kept sequential even under -j).
reproduce: data
	@$(MAKE) --no-print-directory notebooks

clean:
	rm -rf $(VENV) build reports dist *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find data/processed -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	find govopen tests -name __pycache__ -type d -prune -exec rm -rf {} +

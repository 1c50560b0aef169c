# Two commands do all set-up on a fresh machine with Python 3.12+ and pip:
#   make demo   - create .venv, install inclusim, run the LAC scenario comparison and its report
#   make test   - create .venv, install inclusim with test tools, run the test suite
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint

$(BIN)/inclusim: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "inclusim needs Python 3.12 or newer (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,dashboard]"
	touch $@

LAC := scenarios/lac
demo: $(BIN)/inclusim
	$(BIN)/inclusim compare $(LAC)/baseline.yaml $(LAC)/connectivity.yaml $(LAC)/affordability.yaml \
		$(LAC)/skills.yaml $(LAC)/labour.yaml $(LAC)/social_protection.yaml $(LAC)/four_is.yaml \
		--replications 10 --households 20000

test: $(BIN)/inclusim
	$(BIN)/pytest -q

bench: $(BIN)/inclusim
	$(BIN)/python -m benchmarks.population
	$(BIN)/python -m benchmarks.simulation
	$(BIN)/python -m benchmarks.sweep

lint: $(BIN)/inclusim
	$(BIN)/ruff check .

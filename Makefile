# Two commands do all set-up on a fresh machine with Python 3.12+ and pip:
#   make demo   - create .venv, install inclusim, run the LAC scenario comparison and its report
#   make test   - create .venv, install inclusim with test tools, run the whole test suite
#   make test-fast - the unit tests only, in about a minute and a half: leaves out the tests
#                 marked slow, subprocess, browser or dask (pyproject.toml); not a substitute
#                 for `make test` before a commit
#   make mutation - mutation score of model/rules, model/policies and the indicators (slow;
#                 not part of `make test` or CI): see docs/testing.md
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast bench lint mutation

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

FAST := not slow and not subprocess and not browser and not dask
test-fast: $(BIN)/inclusim
	$(BIN)/pytest -q -m "$(FAST)"

bench: $(BIN)/inclusim
	$(BIN)/python -m benchmarks.population
	$(BIN)/python -m benchmarks.simulation
	$(BIN)/python -m benchmarks.sweep

lint: $(BIN)/inclusim
	$(BIN)/ruff check .

# Mutation testing with mutmut ([tool.mutmut] in pyproject.toml says what is mutated and which
# fast tests run). It starts afresh each time (mutmut reuses stale copies of unmutated files in
# mutants/), runs at the lowest priority, and prints the score and the surviving mutants.
# MUTATION_JOBS sets how many mutants are tested at once (default 1: one core).
MUTATION_JOBS ?= 1
$(BIN)/mutmut: $(BIN)/inclusim
	$(BIN)/pip install --quiet -e ".[dev,dashboard,mutation]"
	touch $@

mutation: $(BIN)/mutmut
	rm -rf mutants
	nice -n 19 $(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python -m tests.mutation_report

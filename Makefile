# daedyn: `make demo` and `make test` work on a fresh machine with nothing installed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# torch is pinned here (not in pyproject) so pip takes the CPU wheel on disk
# instead of resolving a multi-GB CUDA build.
TORCH  := torch==2.13.0
# the mutation score (docs/mutation.json, written by `make mutate`) is reported when present
MUTATION = $(if $(wildcard docs/mutation.json),--mutation-json docs/mutation.json,)

.PHONY: demo test test-slow lint bench mutate findings clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/daedyn verify
	$(VENV)/bin/daedyn latex -o results/proofs.tex --pdf-if-available $(MUTATION)
	$(VENV)/bin/daedyn figures --out results/figures

test: $(STAMP)
	$(VENV)/bin/ruff check derivations numerics experiments tests benchmarks
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -q -m "not slow"

test-slow: $(STAMP)
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check derivations numerics experiments tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/import_time.py
	$(PY) benchmarks/verify_cold.py
	$(PY) benchmarks/numerics_bench.py
	$(PY) benchmarks/experiments_bench.py

# the full mutation run of every source (slow: tens of minutes), then the README findings
# one run per source (every mutant; at most 150 per statement for the two sources whose matrix
# statements have thousands), merged into docs/mutation.json; then the README's findings
mutate: $(STAMP)
	mkdir -p results
	$(VENV)/bin/daedyn mutate --source pretorius2018 --per-step 150 --json results/mutation_pretorius2018.json || true
	$(VENV)/bin/daedyn mutate --source refinetti2020 --per-step 150 --json results/mutation_refinetti2020.json || true
	$(VENV)/bin/daedyn mutate --source notes --json results/mutation_notes.json || true
	$(VENV)/bin/daedyn mutate --merge results/mutation_pretorius2018.json results/mutation_refinetti2020.json results/mutation_notes.json --json docs/mutation.json || true
	$(MAKE) findings

findings: $(STAMP)
	$(VENV)/bin/daedyn verify --markdown README.md $(MUTATION)

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis

# planmine: the two commands are `make demo` and `make test`; both set everything up first.
VENV := .venv
PY := $(VENV)/bin/python
PLANMINE := $(VENV)/bin/planmine
export OMP_THREAD_LIMIT := 1

.PHONY: setup demo test lint format bench serve clean-outputs

setup:
	@bash scripts/setup.sh

demo: setup
	$(PLANMINE) ingest corpus/
	$(PY) -m planmine.demo --corpus corpus --outputs outputs

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src/planmine

format: setup
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

test: setup lint
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	@for script in benchmarks/bench_*.py benchmarks/eval_*.py; do \
		echo "== $$script"; $(PY) $$script || exit 1; \
	done

# The web app on http://127.0.0.1:8000/ over outputs/planmine.db (uploads need PLANMINE_TOKEN set).
serve: setup
	$(PLANMINE) serve --store outputs/planmine.db

clean-outputs:
	rm -rf outputs/*.db outputs/*.db-* outputs/*.csv outputs/*.md outputs/*.xlsx outputs/*.png outputs/*.svg \
		outputs/*.graphml outputs/*.html

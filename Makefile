# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB := build/demo.db

.PHONY: demo test lint typecheck unit bench eval clean fuzz

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/newstrace analyze examples/demo/articles --manifest examples/demo/manifest.yaml --db $(DEMO_DB)
	$(BIN)/newstrace report --db $(DEMO_DB) --out build/report
	@echo "Browse it: $(BIN)/newstrace serve --db $(DEMO_DB)   (then open http://127.0.0.1:8000/)"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/quotes_vs_textacy.py
	$(BIN)/python bench/reuse.py
	$(BIN)/python bench/scale.py

# Score every dataset in ../shared with all baselines, then regenerate docs/accuracy.md.
EVAL_DIR := build/eval
EVAL_KINDS := reference gtd acled polnear fakes

eval: $(STAMP)
	mkdir -p $(EVAL_DIR)
	for kind in $(EVAL_KINDS); do \
	  $(BIN)/newstrace eval $$kind --baseline all --json $(EVAL_DIR)/$$kind.json || exit 1; \
	done
	$(BIN)/python -m newstrace.evaluate.accuracy $(addprefix $(EVAL_DIR)/,$(addsuffix .json,$(EVAL_KINDS))) \
	  --commit "$$(git describe --always --dirty 2>/dev/null || echo unknown)" --out docs/accuracy.md

# Fuzz the HTML, feed and WARC readers with atheris, FUZZ_SECONDS each (not in `make test`).
# New interesting inputs go to build/fuzz/TARGET; a crash is saved as build/fuzz/TARGET-crash-*.
FUZZ_SECONDS ?= 60

fuzz: $(STAMP)
	for target in html feed warc; do \
	  mkdir -p build/fuzz/$$target; \
	  $(BIN)/python fuzz/targets.py $$target build/fuzz/$$target fuzz/corpus tests/fixtures/ingest \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=30 \
	    -artifact_prefix=build/fuzz/$$target- || exit 1; \
	done

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache

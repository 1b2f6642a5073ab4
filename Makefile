# `make lab` starts JupyterLab on the student's copy of the notebooks (no model answers);
# `make instructor` on the source notebooks; `make test` runs every check CI runs.
# All create .venv and install the project into it on first use (and after pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
# The student's copy: built from notebooks/ and corpus/ as a release builds it, refreshed at
# every `make lab` without overwriting a notebook the student has edited (see README).
STUDENT ?= student
# Jupyter refuses to run as root unless told; a student's own account never needs this.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab instructor test bench notebooks clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (the first time takes a few minutes; pip reports each package)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '.[dev]'
	touch $(STAMP)

# The package's bytecode, compiled as pip compiles an installed package's: an editable install
# is compiled at first import instead, and where PYTHONDONTWRITEBYTECODE is set (as on these
# machines) not kept, so every kernel and test process would compile the package again.
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) $(shell find src -name '*.py')
	$(BIN)/python -m compileall -q src
	touch $(COMPILED)

# simplemma's decoded dictionaries, made once for the environment as its bytecode is: a test run
# starts its own cache folder from a copy (tests/isolation.py) instead of decoding the German
# dictionary again, 3.7 s of CPU in every run.
TRIES := $(VENV)/simplemma-tries
$(TRIES): $(STAMP) src/corpus_tools/corpus/lemmas.py
	rm -rf $(TRIES) $(TRIES).part
	XDG_CACHE_HOME=$(CURDIR)/$(TRIES).part $(BIN)/python -c 'from corpus_tools.corpus.lemmas import \
		lemmatize; lemmatize("Gespräche", "de"); lemmatize("talks", "en")'
	test -s $(TRIES).part/simplemma/marisa_trie/*/de.dic
	mv $(TRIES).part/simplemma $(TRIES) && rm -rf $(TRIES).part

# Students see no nbgrader authoring tools and no news prompt: lab-config/student/ switches
# them off for this launch only.
lab: $(COMPILED)
	$(BIN)/corpus-tools student $(STUDENT)
	JUPYTER_CONFIG_PATH=$(CURDIR)/lab-config/student $(BIN)/jupyter lab \
		--ServerApp.root_dir=$(STUDENT) --LabApp.news_url=None \
		--LabApp.app_settings_dir=$(CURDIR)/lab-config/student/settings \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG) $(ARGS)

instructor: $(COMPILED)
	$(BIN)/jupyter lab --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG) $(ARGS)

# Node packages of the browser and anchoring tests (axe-core, Hypothesis' anchoring libraries,
# jsdom), from package-lock.json; without npm those tests say how to install them and are skipped.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: apt-get install nodejs npm, for the browser accessibility check"; fi

# Test files (a notebook's cells must run in order in one kernel) are shared among one worker
# per core, in the order tests/conftest.py puts them: the slow files first, so that no worker
# is left alone with the browser tests at the end.
# Python keeps the bytecode of what the tests import, as it does by default: where
# PYTHONDONTWRITEBYTECODE is set, pytest would rewrite the asserts of every test module (and of
# its plugins, Hypothesis among them) again in each worker, 2.5 s of CPU apiece.
test: $(COMPILED) $(TRIES) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if command -v node >/dev/null; then node --test tests/js/; \
	else echo "node not found: apt-get install nodejs, for the annotator's drawing tests"; fi
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest --nbval -n auto --dist loadfile --no-loadscope-reorder $(ARGS)

# After changing a notebook or the package: run notebooks top to bottom and store their outputs
# (without execution timestamps), e.g. `make notebooks NB=notebooks/04_comparing_the_readouts.ipynb`.
NB ?= notebooks/*.ipynb
notebooks: $(COMPILED)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--NotebookClient.record_timing=False $(NB)
	$(BIN)/ruff format notebooks

bench: $(COMPILED)
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) node_modules corpus/.cache .pytest_cache .ruff_cache

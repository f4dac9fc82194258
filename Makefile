# The two commands of the README:  `make run`  and  `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test setup index bench quality tune clean

run: setup
	@HF_HUB_OFFLINE=1 $(VENV)/bin/hsqa index --if-missing
	@HF_HUB_OFFLINE=1 $(VENV)/bin/hsqa

test: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/python -m pytest -q

setup: $(STAMP)

# Reinstalls only when pyproject.toml or requirements.lock change. torch is installed first, pinned,
# so that pip never resolves the multi-GB CUDA build; then the locked versions, then hsqa itself.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null 2>&1 || { echo "$(PY) not found: install Python 3.11 or run 'make PY=python3'"; exit 1; }
	@test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

index: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/hsqa index

bench: setup quality
	HF_HUB_OFFLINE=1 $(VENV)/bin/python benchmarks/run.py

# Retrieval quality on the dev and test splits (benchmarks/QUALITY.md).
quality: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/python benchmarks/quality.py

# Refit the fusion weights on the dev split only (writes hsqa/search/weights.json).
tune: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/python benchmarks/tune.py --write

clean:
	rm -rf $(VENV) index/*.sqlite3* index/*.faiss

# studyapp: `make run` serves the app, `make test` runs every test. Both set up what they need.

VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
# A fixed, tested torch release. On PyPI its Linux x86-64 wheel is the CUDA build,
# so students with a GPU get CUDA; where pip is offered a local CPU wheel of the
# same release (as on our build machines), that is used. `make run TORCH_SPEC=torch`
# takes the newest release instead.
TORCH_SPEC ?= torch==2.13.0
DB     ?= data/studyapp.sqlite3
PORT   ?= 8501
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test check bench install browser clean

run: $(STAMP)
	$(VENV)/bin/studyapp run --db $(DB) --port $(PORT)

test: $(STAMP) browser
	$(VENV)/bin/studyapp check
	$(PY) -m pytest -q -ra

check: $(STAMP)
	$(VENV)/bin/studyapp check

bench: $(STAMP) browser
	for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH_SPEC)"
	$(PIP) install -q -e ".[test]"
	touch $(STAMP)

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

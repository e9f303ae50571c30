# Vividly: `make run` (set up, start services, migrate, seed, serve; the textbooks are prepared in the
# background) and `make test`. `make run` installs only what running needs (requirements.txt); the test
# and drill tools (requirements-dev.txt) install with the first `make test`/`make drills`/`make bench`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export XDG_RUNTIME_DIR ?= $(CURDIR)/.var/xdg
$(shell mkdir -p -m 700 $(CURDIR)/.var/xdg)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
APT_PACKAGES := espeak-ng ffmpeg fonts-dejavu-core
APT_DEV_PACKAGES := chromium shellcheck
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-repeat setup setup-dev system-deps system-deps-dev services migrate seed ingest library \
	lint drills stop clean bench css

$(RUNTIME_STAMP): requirements.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first: the CPU wheel on disk; letting another package pull torch takes a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.txt
	touch $(RUNTIME_STAMP)

# Either order works on a fresh clone: the dev stamp needs the runtime one, and `make run` after
# `make test` finds both up to date.
$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(DEV_STAMP)

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_PACKAGES))

system-deps-dev:
	$(call apt_install,$(APT_DEV_PACKAGES))

# The ONNX embedding model, exported from the bundled MiniLM weights (never downloaded); once exported,
# a Django start-up is saved on every run (a variant switched on later is exported on first use).
setup: system-deps $(RUNTIME_STAMP)
	@ls $${EMBEDDING_MODEL_DIR:-.var/models}/*.onnx >/dev/null 2>&1 || $(BIN)/python manage.py embedding_model

# Everything `make setup` does, plus the test and drill tools (pytest, Playwright, Locust, ruff…).
setup-dev: setup system-deps-dev $(DEV_STAMP)

services: setup
	$(BIN)/python manage.py devservices start

migrate: services
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed

# Synchronous ingest (admins, scripts): every stage in this process, then exits.
ingest: migrate
	@if $(BIN)/python -c "from vividly.settings.components.corpus import OER_SOURCE_DIR as d; exit(not d.is_dir())"; then \
	  $(BIN)/python manage.py ingest --book all; \
	else echo "Skipping ingest (no corpus): set OER_SOURCE_DIR to the OpenStax CNXML folder."; fi

# Queue the new or changed textbooks for the background worker (Physics first); about a second.
library: migrate
	$(BIN)/python manage.py prepare_library

# Collected (and compressed) again only when our static files or the installed packages changed.
STATIC_STAMP := staticfiles/.collected
$(STATIC_STAMP): $(RUNTIME_STAMP) $(shell find static -type f 2>/dev/null)
	$(BIN)/python manage.py collectstatic --noinput -v0
	touch $(STATIC_STAMP)

run: seed library $(STATIC_STAMP)
	@echo ""
	@echo "  Vividly is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "  Logins: admin@davidsonschools.org / Admin123!   sarah.johnson@hillsboro.edu / Teacher123!"
	@echo "          alex.martinez.9@student.hillsboro.edu / Student123!   (full table printed by the seed above)"
	@echo "  The textbooks are prepared in the background (Physics first); the catalogue shows how far."
	@echo "  Ctrl-C stops the web server, workers and beat; 'make stop' stops Postgres and Redis."
	@echo ""
	site="$${SITE_URL:-$$(grep -s '^SITE_URL=' .env | cut -d= -f2-)}"; \
	LOG_JSON=$${LOG_JSON:-false} PORT=$(PORT) SITE_URL="$${site:-http://127.0.0.1:$(PORT)}" $(BIN)/honcho start -f Procfile

# Front-end build (needs node/npm, build time only): the built CSS and vendored JS are committed under static/,
# so `make run`/`make test` never need node.
css:
	npm ci --no-audit --no-fund
	npm run vendor
	npm run build:css

stop:
	-$(BIN)/python manage.py devservices stop

lint: $(DEV_STAMP)
	$(BIN)/ruff check .  # all rules incl. bandit's (S): no global exception, every noqa says why
	$(BIN)/lint-imports --no-cache  # the layers contract (pyproject.toml): apps import only downwards

test: setup-dev services lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -q -m "not drills and not slow" --durations=15  # the slowest 15 (issue 14 reports them)

# The worker, isolation and browser tests 5 times in a row with two busy loops alongside (issue 14).
test-repeat: setup-dev services
	$(BIN)/python scripts/test_repeat.py --runs $${RUNS:-5} --busy $${BUSY:-2}

drills: setup-dev services
	$(BIN)/python drills/run.py  # all drills, then ONE table of figures; DRILLS_NIGHTLY=1 for the nightly size

# `make bench FULL=1` adds the timed full re-ingest (with the retrieval figures of the index it builds).
bench: setup-dev services
	$(BIN)/python bench/run_all.py $(if $(FULL),--full)

# Lesson quality on bench/data/lesson_eval.json (issue 18): needs the full corpus; DATABASE_URL may point at it.
# EVAL_ARGS e.g. "--split dev --script-only -v".
eval-lessons:
	$(BIN)/python bench/eval_lessons.py $(EVAL_ARGS)

clean: stop
	rm -rf $(VENV) .var staticfiles

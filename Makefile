# Two commands for a newcomer: `make run` and `make test`. Both are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run test setup system-deps browser-deps migrate demo check-migrations lint clean bench fresh-check backup restore restore-drill cluster cluster-stop loadtest drills observatory axe

# Debian packages the app needs besides Python: Pango and a font for WeasyPrint's PDFs, gettext to
# update and compile the translations in locale/. Installed only when missing (needs root or sudo);
# nothing is downloaded at run time.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The real-browser tests (tests/browser) drive Debian's Chromium through Playwright, headless: the
# browser comes from the system package manager, never from `playwright install`. CHROMIUM overrides
# the path the tests use (default /usr/bin/chromium). Playwright's bundled driver (node) needs
# libatomic1, which a minimal Debian lacks (`make fresh-check` found it).
BROWSER_PACKAGES := chromium libatomic1

browser-deps:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -r requirements-dev.txt  # .pyc files as modules are imported: 6 s less
	touch $(STAMP)

setup: system-deps $(STAMP)

migrate: setup
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo: migrate
	$(MANAGE) load_key_messages
	$(MANAGE) load_key_messages messages_app/content/demo/key-messages.es.yaml
	$(MANAGE) create_demo_accounts
	$(MANAGE) create_demo_editorial

# RUN_PORT: where `make run` serves (8000), e.g. when another server has that port.
RUN_PORT ?= 8000

run: demo
	@echo ""
	@echo "Key Messages is at http://127.0.0.1:$(RUN_PORT) — demo password: keymessages-demo"
	@echo "Accounts: member@colombia.example.org admin@colombia.example.org member@mexico.example.org"
	@echo "          admin@mexico.example.org focal@ifrc.example.org focal@icrc.example.org platform@ifrc.example.org"
	@echo "          editor@ifrc.example.org reviewer@icrc.example.org (they prepare and review editions)"
	$(MANAGE) runserver 127.0.0.1:$(RUN_PORT)

check-migrations: setup
	$(MANAGE) makemigrations --check --dry-run

# The layers depend one way (.importlinter): console > messages_app > national_societies > audit > core.
lint: setup
	$(BIN)/lint-imports

# The whole suite on DATABASE_URL (SQLite by default), in PYTEST_WORKERS processes (pytest-xdist; each
# has its own test database and live server; 0 runs in this process, for a debugger). PYTEST_ARGS
# selects or adds options: CI's SQLite run is `make test PYTEST_ARGS='-m "not db_independent and not browser"'`.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

test: setup browser-deps check-migrations lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# axe-core on every page of the route matrix in each of the four languages (tests/browser/
# test_axe_sweep.py; CI checks each page once, the languages taking turns). About 2 minutes.
axe: setup browser-deps
	KM_AXE_EVERY_LANGUAGE=1 $(BIN)/pytest -n $(PYTEST_WORKERS) tests/browser/test_axe_sweep.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The two newcomer commands on a truly fresh machine: a minimal Debian bookworm (minbase with python3,
# venv, pip, make and git; built once with mmdebstrap and cached) entered with buildah in chroot
# isolation, with this tree copied in. `make run` (until the login page answers, on FRESH_PORT, 8191)
# and `make test` each run in a fresh container of it, and the time each took is printed. Needs root
# (installs buildah and mmdebstrap if missing); 5 to 9 minutes on two busy cores, so not part of CI.
fresh-check:
	.ci/fresh-check

# Benchmarks of the access log (bench/README.md, figures in bench/RESULTS.md). Creates and drops its
# own PostgreSQL database, km_bench (BENCH_DATABASE_URL); about 20 minutes for 10 million events.
.PHONY: bench
bench: setup
	$(BIN)/python bench/run.py

# Backups (PostgreSQL; README "Backup and restore"). `make backup` dumps DATABASE_URL with the access
# log's anchor; `make restore DUMP=… [TARGET=postgres://…/new_db]` restores into a new database and
# verifies it; `make restore-drill` runs both end to end on throwaway databases and times them.
backup: setup
	ops/backup

restore: setup
	ops/restore "$(DUMP)" $(TARGET)

restore-drill: setup
	ops/restore-drill

# The production topology on this machine (ops/cluster): nginx with TLS on https://127.0.0.1:8443 in
# front of two gunicorn instances (:8101, :8102), a Celery worker and beat, Redis and PostgreSQL as they
# run here. `make cluster-stop` ends exactly what `make cluster` started (pid files in var/cluster/).
CLUSTER_PACKAGES := nginx-light openssl

cluster: setup
	@missing=""; for p in $(CLUSTER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	ops/cluster start

cluster-stop:
	ops/cluster stop

# Load through the cluster's proxy (make cluster first): LOADTEST_USERS (50) for LOADTEST_MINUTES (5),
# then the access log reconciled with the answers and verified; figures in bench/RESULTS.md.
loadtest: setup
	ops/loadtest

# The cluster's faults under load (ops/drills; make cluster first): an instance killed, PostgreSQL
# restarted, Redis stopped, the worker stopped for 10 minutes; figures in bench/RESULTS.md.
drills: setup
	ops/drills

# The MDN HTTP Observatory's grade of the cluster's TLS edge (ops/observatory; make cluster first).
observatory:
	ops/observatory

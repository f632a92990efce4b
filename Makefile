# Driftdeck: `make run` opens the app on the demo workspace; `make test` runs every test.
# Both install what they need first (scripts/setup.sh: Debian packages, npm packages, tauri-driver).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
APP := target/debug/driftdeck-app
CLI := target/debug/driftdeck
TAURI_DRIVER ?= $(or $(CARGO_HOME),$(HOME)/.cargo)/bin/tauri-driver
# A virtual display for the tests and screenshots: nothing here needs a real screen.
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"
# WebKitGTK's DMA-BUF renderer needs a GPU; under Xvfb (and in VMs) it must be off.
export WEBKIT_DISABLE_DMABUF_RENDERER := 1

.PHONY: help setup ui build run test bench bench-drift bench-fairness bench-publish bench-app lint fmt-check clippy test-rust test-ui \
        test-browser test-e2e screenshot icons demo clean package test-package ipc

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## install Debian packages, npm packages and tauri-driver (idempotent)
	@scripts/setup.sh

ui: setup ## build the web UI into ui/dist (the app embeds it)
	npm --prefix ui run build

build: ui ## build the CLI and the desktop app (debug)
	$(CARGO) build --workspace

run: build ## open the app with the demo project added to your catalog
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make run: no display (DISPLAY/WAYLAND_DISPLAY unset); run it in a desktop session, or see 'make screenshot'" >&2; exit 2; fi
	$(CLI) project add assets/demo
	$(APP)

test: setup fmt-check ui clippy test-rust test-ui test-browser test-e2e test-package ## every test: format, lint, Rust, UI unit, browser, end-to-end, the .deb on a fresh Debian
	@echo "make test: all green"

lint: fmt-check clippy ## cargo fmt --check and clippy -D warnings

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: ui
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: ui ## the workspace's cargo tests (unit, integration on the real binary, doc)
	$(CARGO) test --workspace

test-ui: setup ## the UI's unit tests (Vitest) and svelte-check (no errors, no warnings)
	npm --prefix ui test
	npm --prefix ui run check

test-browser: ui build ## the built UI, and a drift HTML report, in Debian's Chromium (Playwright)
	npm --prefix ui run test:browser
	DRIFTDECK_CLI=$(CLI) node --test tests/report/html.test.mjs

test-e2e: build ## the real app under Xvfb (and a D-Bus session with a notification daemon) through tauri-driver
	DRIFTDECK_APP=$(APP) DRIFTDECK_CLI=$(CLI) TAURI_DRIVER=$(TAURI_DRIVER) \
	  $(XVFB) dbus-run-session -- node --test --test-concurrency=1 tests/e2e/desktop.test.mjs tests/e2e/app.test.mjs

package: ui ## .deb, .rpm and a portable .tar.gz in target/package, from the release build
	$(CARGO) build --release --workspace --bins
	scripts/package.sh --profile release

test-package: build ## the .deb (of the debug build) on a fresh Debian 12 made by debootstrap: apt install, the installed app starts
	scripts/package.sh --profile debug --out target/package-debug
	scripts/test_package.sh target/package-debug/driftdeck_$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)_$$(dpkg --print-architecture).deb

bench: setup ## benchmarks in release (index, drift vs Evidently, fairness vs Fairlearn, publish vs MLflow's client, the app)
	$(CARGO) bench --bench index
	$(CARGO) build --release --bin driftdeck
	scripts/bench_drift.sh
	scripts/bench_fairness.sh
	scripts/bench_publish.sh
	$(MAKE) bench-app

bench-drift: ## driftdeck drift vs Evidently on 100k/1m/5m rows (target/bench/drift.md)
	$(CARGO) build --release --bin driftdeck
	scripts/bench_drift.sh

bench-fairness: ## driftdeck fairness vs Fairlearn on 1m/10m rows (target/bench/fairness.md)
	$(CARGO) build --release --bin driftdeck
	scripts/bench_fairness.sh

bench-publish: setup ## driftdeck publish vs MLflow's Python client, 1 GiB model (target/bench/publish.md)
	$(CARGO) build --release --bin driftdeck
	scripts/bench_publish.sh

bench-app: ui ## the app's start-up to first rows, idle CPU, a 10,000-run table scrolled (target/bench/app.md)
	$(CARGO) build --release --workspace --bins
	DRIFTDECK_APP=target/release/driftdeck-app DRIFTDECK_CLI=target/release/driftdeck TAURI_DRIVER=$(TAURI_DRIVER) \
	  $(XVFB) node scripts/bench_app.mjs

screenshot: build ## docs/screenshot*.png: the real window on the demo project, under Xvfb
	scripts/screenshot.sh docs/screenshot.png runs
	scripts/screenshot.sh docs/screenshot-first-run.png first-run
	scripts/screenshot.sh docs/screenshot-projects.png projects
	scripts/screenshot.sh docs/screenshot-settings.png settings
	scripts/screenshot.sh docs/screenshot-dark.png dark
	scripts/screenshot.sh docs/screenshot-datasets.png datasets
	scripts/screenshot.sh docs/screenshot-models.png models
	scripts/screenshot.sh docs/screenshot-compare.png compare
	scripts/screenshot.sh docs/screenshot-fairness.png fairness
	REPORT_SCREENSHOT=docs/drift-report.png DRIFTDECK_CLI=$(CLI) node --test tests/report/html.test.mjs

ipc: ## regenerate ui/src/lib/ipc.ts (the UI's types of every command and event) from the Rust types
	DRIFTDECK_UPDATE_IPC=1 $(CARGO) test -p driftdeck-app --lib ipc::

icons: setup ## regenerate icons/ from icons/source.svg
	scripts/make_icons.sh

demo: ## regenerate assets/demo/ (reproducible)
	python3 scripts/make_demo.py

clean:
	$(CARGO) clean
	rm -rf ui/dist

# Brigade: two commands on a fresh machine.
#   make run   install what is missing, build (release), migrate, load the demo, serve on :3000
#   make test  install what is missing, run every Rust test (the integration suite on SQLite
#              and on a throwaway PostgreSQL cluster) and the Playwright suite
# Every install step is skipped when the tool is already there at the right version.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
CARGO_LEPTOS_VERSION := 0.3.11
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
export PATH := $(NODE_BIN):$(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TERM_COLOR := never
# Leptos names the wasm file from this at compile time; set it for every build so that
# cargo-leptos and plain cargo produce the same server (and share compiled crates).
export LEPTOS_OUTPUT_NAME := brigade
# One build per run here (CI, fresh clones): incremental caches only cost disk (gigabytes).
export CARGO_INCREMENTAL := 0

.PHONY: run test gzip-best tools rust-tools node-tools chromium wrk postgres build-debug rust-tests e2e lint bench

run: tools
	cargo leptos build --release --precompress --split
	$(MAKE) --no-print-directory gzip-best
	./target/release/brigade serve --demo

# One server build: cargo-leptos builds only the browser bundle; `cargo test` builds the
# server binary the Playwright suite then runs.
test: tools chromium postgres
	cargo leptos build --frontend-only --split
	$(MAKE) --no-print-directory rust-tests e2e

# Every test on SQLite; schemathesis fuzzes the API's contract against the server just built,
# scim2-cli checks its SCIM face and a differential test compares it with the reference
# server scim2-server;
# then the integration suite again on PostgreSQL (.ci/with-postgres starts a cluster in a
# temporary directory and stops it afterwards, pass or fail).
rust-tests:
	cargo test --features ssr
	.ci/schemathesis
	.ci/scim
	.ci/with-postgres cargo test --features ssr --test integration

e2e:
	cd end2end && npx playwright test

# Brigade at restaurant-group scale (bench/bench.py says what it measures): writes
# bench/RESULTS.md. The data set is generated once into target/bench. Not part of `make test`.
bench: tools wrk postgres
	cargo leptos build --release --precompress --split
	$(MAKE) --no-print-directory gzip-best
	.ci/with-postgres python3 bench/bench.py

# The server sends the precompressed copy a browser accepts (brotli, else gzip). cargo-leptos'
# gzip copies are a fast encoder's: gzip -9 makes them 12% smaller (/login's first load
# 538 -> 471 KB), in about a second for the whole bundle.
gzip-best:
	find target/site/pkg -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -exec gzip -9 -n -k -f {} +

lint:
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

tools: rust-tools node-tools

rust-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 11 minutes on 2 cores)"; \
	  if rustup toolchain list | grep -q '^nightly'; then toolchain=+nightly; locked=--locked; \
	  else toolchain=; locked=; fi; \
	  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	    cargo $$toolchain install cargo-leptos $$locked --version $(CARGO_LEPTOS_VERSION) --features no_downloads; \
	fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

# npm packages for the end-to-end suite and wasm-opt (npm's binaryen; Debian's is too old).
node-tools: end2end/node_modules/.package-lock.json

end2end/node_modules/.package-lock.json: end2end/package-lock.json end2end/package.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

# PostgreSQL server and contrib (pg_trgm) for the second run of the integration suite; the
# machine image has them, so this is a no-op there.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib; }

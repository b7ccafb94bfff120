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

# assets/vendor/app.css and assets/vendor/echarts.min.js (a second or two).
assets: node_modules/.package-lock.json
	npm run build

# One static binary; the assets are embedded in it.
build: assets
	CGO_ENABLED=0 go build -trimpath -o $(BIN) ./cmd/cptrends

# The dashboard on http://127.0.0.1:8080, database ./cptrends.db.
run: build
	./$(BIN) serve

test: assets
	@files="$$(gofmt -l $(GOFILES))"; \
	if [ -n "$$files" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$files"; exit 1; fi
	go vet ./...
	@if [ -z "$(RACE)" ]; then echo "note: cgo is off (no C compiler?), running tests without -race"; fi
	go test $(RACE) -count=1 ./...

# Placeholders until the benchmarks and fuzz targets settle.
bench: assets
	go test -run '^$$' -bench . -benchmem ./...

fuzz: assets
	go test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./internal/ingest

# Leaves assets/vendor/README.md, which is committed.
clean:
	rm -rf bin node_modules
	find assets/vendor -type f ! -name README.md -delete

# The targets a contributor needs. `make verify` is what to run before
# pushing; CI runs .ci/run (go vet and the race-enabled tests, of this
# module and of bench/).

GOLANGCI_LINT := go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

.PHONY: test lint bench bench-quick verify demo

test:
	go test -race ./...

lint:
	go vet ./...
	$(GOLANGCI_LINT) run ./...

# The benchmark suite against errgroup, conc, pond and ants (its own module),
# written to BENCHMARKS.md; the file's hand-written notes at the end are kept.
bench:
	cd bench && go run ./cmd/benchtable -o ../BENCHMARKS.md

verify: lint test
	cd bench && go vet ./... && go test -race ./... && go test -run '^$$' -bench . -benchtime=1x ./...

demo:
	go run ./cmd/shoal demo

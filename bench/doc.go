// Package bench compares shoal with the Go libraries people reach for
// instead: golang.org/x/sync/errgroup, github.com/sourcegraph/conc,
// github.com/alitto/pond/v2 and github.com/panjf2000/ants/v2; and shoal on
// a cluster of worker processes with shoal on a local pool.
//
// It is a module of its own so that none of those libraries enters the
// go.mod of shoal's users. The package holds only benchmarks
// (*_bench_test.go); run them all and write BENCHMARKS.md at the root of the
// repository with
//
//	cd bench && go run ./cmd/benchtable
//
// or a quick smoke run with
//
//	cd bench && go test -run '^$' -bench . -benchtime=1x ./...
//
// # What is measured
//
// Every comparison runs shoal and its peers on the same workload, side by
// side as sub-benchmarks (BenchmarkMapInts/shoal, BenchmarkMapInts/conc, ...).
// Besides ns/op, each benchmark reports per-item metrics (ns/item,
// allocs/item) and, where a speedup over a sequential loop is the point, a
// speedup metric computed from a sequential run and a parallel run taken one
// after the other in the same iteration, so that a noisy machine shifts both.
//
// # Cluster benchmarks
//
// The BenchmarkCluster* benchmarks run shoal's own workloads twice, side by
// side: on a cluster (BenchmarkClusterMap/cluster: cluster.Start with 2
// worker processes, an embedded NATS JetStream server in the benchmark's
// process) and on a local pool (BenchmarkClusterMap/pool), against the
// targets of the cluster runtime. The worker processes are this test binary
// re-executed, which is why TestMain calls cluster.Main first thing, and
// why every function they run is registered in an init function.
//
// # Deadlock probes
//
// Pools without slot lending (pond, ants) hang when a task submits work to
// its own pool and waits for it while every worker is doing the same. Those
// probes run in a child process (the test binary re-executed with an
// environment variable) that is killed after a timeout; the benchmark then
// reports a deadlock metric instead of hanging.
package bench

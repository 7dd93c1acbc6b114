package benchtable

import "fmt"

// The cluster sections: each shows a benchmark's cluster row (2 worker
// processes, BenchmarkX/cluster) above its pool row (BenchmarkX/pool),
// from the same go test run, with the targets of the cluster runtime.

// clusterIntro opens the body of every cluster section.
const clusterIntro = "The cluster row runs on `cluster.Start(ctx, cluster.Workers(2))`: " +
	"an embedded NATS JetStream server in the benchmark's process and 2 worker processes " +
	"(the benchmark's binary re-executed), all on this machine's cores; " +
	"the pool row runs the same code on a `shoal.NewPool()` in the same `go test` run."

func clusterSections(s *Set) []section {
	return []section{
		clusterRoundTrip(s), clusterSubmit(s), clusterMap(s), clusterCPU(s), clusterPut(s),
	}
}

// clusterRows returns the cluster row and the pool row of benchmark name,
// each made of its label and the cells cell returns for it.
func clusterRows(name string, cell func(n string) []string) [][]string {
	return [][]string{
		append([]string{"**cluster**, 2 worker processes"}, cell(name+"/cluster")...),
		append([]string{"pool, same process"}, cell(name+"/pool")...),
	}
}

func clusterRoundTrip(s *Set) section {
	c := cells{s}
	const n = "ClusterRoundTrip"
	cell := func(n string) []string {
		return []string{c.stat(n, "p50-µs", 1), c.stat(n, "p99-µs", 1), c.stat(n, "max-µs", 1), c.count(n, "allocs/op")}
	}
	rows := append(clusterRows(n, cell),
		append([]string{"bare NATS JetStream, same hops, no shoal"}, cell(n+"/jetstream")...))
	body := "`BenchmarkClusterRoundTrip`: one tiny task (`x+1`) submitted and its result awaited, " +
		"one at a time, 3,000 times per run after 100 round trips of warm-up; " +
		"the percentiles are over the round trips of a run. " + clusterIntro +
		" The last row is the floor under the cluster row: a message published to a memory WorkQueue stream " +
		"of a server embedded in the benchmark's process, taken by one of 2 worker processes holding pull requests, " +
		"answered with plain NATS and acknowledged, with no shoal in between (`bench/jsfloor_test.go`). " +
		"For reference, a round trip takes about 1 ms on Ray and on Dask.\n\n" +
		table([]string{"", "p50 (µs)", "p99 (µs)", "slowest (µs)", "allocs/op (driver)"}, rows)
	p50, ok50 := s.Median(n+"/cluster", "p50-µs")
	p99, ok99 := s.Median(n+"/cluster", "p99-µs")
	floorNote := ""
	if floor, ok := s.Median(n+"/jetstream", "p50-µs"); ok {
		floorNote = " (bare JetStream, same hops: " + num(floor) + " µs)"
	}
	return section{
		Title: "Cluster: Submit and Get round trip",
		Funcs: []string{"BenchmarkClusterRoundTrip"},
		Body:  body,
		Targets: []target{
			check("cluster p50 ≤ 200 µs", num(p50)+" µs"+floorNote, p50 <= 200, ok50),
			check("cluster p99 ≤ 1 ms", num(p99)+" µs", p99 <= 1000, ok99),
		},
	}
}

func clusterSubmit(s *Set) section {
	c := cells{s}
	const n, batch = "ClusterSubmit", 10_000
	rows := clusterRows(n, func(n string) []string {
		return []string{c.stat(n, "tasks/s", 1), c.plain(n, "allocs/op", 1.0/batch), c.bytes(n, 1.0/batch)}
	})
	body := "`BenchmarkClusterSubmit`: batches of 10,000 tiny tasks (`x+1`), each its own `Submit`, " +
		"all outstanding at once, then `Gather`ed; 5 batches per run. " + clusterIntro +
		" On the cluster each task is a message to the queue and a result message back. " +
		"For reference, Ray does about 8,000 tasks/s from one client, Dask distributed 2,000–3,000.\n\n" +
		table([]string{"", "tasks/s", "allocs/task (driver)", "B/task (driver)"}, rows)
	v, ok := s.Median(n+"/cluster", "tasks/s")
	return section{
		Title: "Cluster: tiny tasks submitted one by one",
		Funcs: []string{"BenchmarkClusterSubmit"},
		Body:  body,
		Targets: []target{
			check("cluster ≥ 20,000 tasks/s (2 worker processes, 2 cores)", fmt.Sprintf("%.0f tasks/s", v), v >= 20_000, ok),
		},
	}
}

func clusterMap(s *Set) section {
	c := cells{s}
	const n, items = "ClusterMap", 1e6
	rows := clusterRows(n, func(n string) []string {
		return []string{c.stat(n, "items/s", 1), c.stat(n, "ns/op", 1/items), c.plain(n, "allocs/op", 1/items), c.bytes(n, 1/items)}
	})
	body := "`BenchmarkClusterMap`: `Map` of 1,000,000 tiny items (`x+1`), results in a new slice. " + clusterIntro +
		" On the cluster the items travel in chunks, a message each, sized by `Map` (no `ChunkSize` given).\n\n" +
		table([]string{"", "items/s", "ns/item", "allocs/item (driver)", "B/item (driver)"}, rows)
	v, ok := s.Median(n+"/cluster", "items/s")
	return section{
		Title: "Cluster: Map of 1,000,000 tiny items",
		Funcs: []string{"BenchmarkClusterMap"},
		Body:  body,
		Targets: []target{
			check("cluster ≥ 500,000 items/s", fmt.Sprintf("%.0f items/s", v), v >= 500_000, ok),
		},
	}
}

func clusterCPU(s *Set) section {
	c := cells{s}
	const n = "ClusterCPU"
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"cluster", "**cluster**, 2 worker processes × `Slots(1)`"},
		{"pool", "pool of `Workers(2)`, same process"},
	} {
		n := n + "/" + r.name
		rows = append(rows, []string{r.label, c.stat(n, "%-efficiency", 1), c.stat(n, "ns/op", 1e-9), c.stat(n, "task-ms", 1)})
	}
	body := "`BenchmarkClusterCPU`: `Map` of 200 tasks of about 10 ms of CPU each " +
		"(xorshift steps, calibrated once by the driver and passed as the argument, so both rows do the same work) on 2 slots, " +
		"3 maps per run. Each task measures the CPU time it takes on its thread (`CLOCK_THREAD_CPUTIME_ID`); " +
		"efficiency is the ideal time, that CPU time spread evenly over the 2 slots, over the time the `Map` took: " +
		"what is lost to dispatching, waiting for tasks and sharing the cores with the driver and the server. " +
		"task (ms) is the mean CPU time of a task. " + clusterIntro +
		" For reference, ipyparallel reaches 63% with 10 ms tasks.\n\n" +
		table([]string{"", "efficiency (%)", "s/op", "task (ms)"}, rows)
	v, ok := s.Median(n+"/cluster", "%-efficiency")
	return section{
		Title: "Cluster: 200 tasks of 10 ms on 2 workers × 1 slot",
		Funcs: []string{"BenchmarkClusterCPU"},
		Body:  body,
		Targets: []target{
			check("cluster efficiency ≥ 90% of ideal", num(v)+"%", v >= 90, ok),
		},
	}
}

func clusterPut(s *Set) section {
	c := cells{s}
	const n = "ClusterPut"
	rows := clusterRows(n, func(n string) []string {
		return []string{c.stat(n, "put-ms", 1), c.stat(n, "ns/op", 1e-9), c.count(n, "fetches/worker"),
			c.count(n, "workers-used"), c.bytes(n, 1)}
	})
	body := "`BenchmarkClusterPut`: `Put` of 256 MiB of float64s (16 blocks of 2 Mi pseudo-random values, " +
		"which CBOR cannot shorten), then 16 tasks that each `Get` the value and sum one block, then `Release`. " +
		"Put (ms) is `Put` alone: on the cluster, encoding the value and storing it in the JetStream object store; " +
		"s/op is `Put` and the 16 tasks, including the workers' fetching and decoding the value. " +
		"fetches per worker is the most times a worker fetched the value from the store, from the workers' `Status` " +
		"(`WorkerStatus.Fetched`); workers used is how many of the 2 ran tasks. " +
		"On the pool, `Put` stores a pointer: nothing is copied or fetched. " + clusterIntro + "\n\n" +
		table([]string{"", "Put (ms)", "s/op", "fetches per worker", "workers used", "B/op (driver)"}, rows)
	most, ok := s.Median(n+"/cluster", "fetches/worker")
	used, _ := s.Median(n+"/cluster", "workers-used")
	return section{
		Title: "Cluster: Put of 256 MiB, read by 16 tasks on 2 workers",
		Funcs: []string{"BenchmarkClusterPut"},
		Body:  body,
		Targets: []target{
			check("each worker fetches the value once",
				fmt.Sprintf("at most %.0f per worker (%.0f of 2 workers ran tasks)", most, used), most == 1, ok),
		},
	}
}

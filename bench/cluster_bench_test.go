package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// The cluster benchmarks run each workload twice, side by side in the same
// go test run: on a cluster of clusterWorkers worker processes
// (BenchmarkX/cluster: this test binary re-executed, which TestMain turns
// into a worker with cluster.Main) and on a local pool (BenchmarkX/pool).
// A cluster is started before the timed loop of its sub-benchmark and
// closed after it.

// clusterWorkers is the number of worker processes: one per core of the
// two-core machine the targets are set for.
const clusterWorkers = 2

func init() {
	// Every function a cluster runs is registered, in the driver and in the
	// workers alike (they are the same binary).
	shoal.Register(inc, shoal.Name("bench.inc"))
	shoal.Register(burn, shoal.Name("bench.burn"))
	shoal.Register(readPart, shoal.Name("bench.readPart"))
}

// onBoth runs body as the sub-benchmark "cluster", on a cluster started
// with opts, and as "pool", on a pool made with popts.
func onBoth(b *testing.B, opts []cluster.Option, popts []shoal.PoolOption, body func(b *testing.B, ex shoal.Executor)) {
	b.Helper()
	b.Run("cluster", func(b *testing.B) {
		body(b, startCluster(b, opts...))
	})
	b.Run("pool", func(b *testing.B) {
		p := shoal.NewPool(popts...)
		b.Cleanup(func() { _ = p.Close() })
		body(b, p)
	})
}

// startCluster starts a cluster of clusterWorkers processes for b, closed
// when b ends.
func startCluster(b *testing.B, opts ...cluster.Option) *cluster.Cluster {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts = append([]cluster.Option{cluster.Workers(clusterWorkers), cluster.Output(io.Discard)}, opts...)
	c, err := cluster.Start(ctx, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := c.Close(); err != nil {
			b.Errorf("closing the cluster: %v", err)
		}
	})
	return c
}

// BenchmarkClusterRoundTrip submits one tiny task at a time and waits for
// its result: the latency of Submit+Get, reported as its median and 99th
// percentile. Its third row, jetstream, times the same hops through NATS
// with no shoal in between (see startFloor): the floor under the cluster
// row on this machine at this moment.
func BenchmarkClusterRoundTrip(b *testing.B) {
	ctx := context.Background()
	onBoth(b, nil, nil, func(b *testing.B, ex shoal.Executor) {
		measureLatency(b, func(x int) time.Duration {
			start := time.Now()
			v, err := shoal.Submit(ctx, ex, incFn, x).Get(ctx)
			if err != nil || v != x+1 {
				b.Fatalf("inc(%d) = %d, %v", x, v, err)
			}
			return time.Since(start)
		})
	})
	b.Run("jetstream", func(b *testing.B) {
		send := startFloor(b)
		measureLatency(b, func(x int) time.Duration { return floorRoundTrip(b, send, x) })
	})
}

// measureLatency times roundTrip once per iteration of b, after 100 round
// trips of warm-up, and reports the median, 99th percentile and slowest.
func measureLatency(b *testing.B, roundTrip func(x int) time.Duration) {
	for i := range 100 { // warm up connections, consumers and caches
		roundTrip(i)
	}
	lat := make([]time.Duration, 0, 4096)
	for b.Loop() {
		lat = append(lat, roundTrip(len(lat)))
	}
	slices.Sort(lat)
	b.ReportMetric(micros(lat[len(lat)/2]), "p50-µs")
	b.ReportMetric(micros(lat[len(lat)*99/100]), "p99-µs")
	b.ReportMetric(micros(lat[len(lat)-1]), "max-µs")
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// BenchmarkClusterSubmit submits batches of tiny tasks one by one, all of
// them outstanding at once, and gathers each batch: the throughput of
// Submit when nothing batches the tasks for it.
func BenchmarkClusterSubmit(b *testing.B) {
	const batch = 10_000
	ctx := context.Background()
	onBoth(b, nil, nil, func(b *testing.B, ex shoal.Executor) {
		b.ReportAllocs()
		futs := make([]*shoal.Future[int], batch)
		for b.Loop() {
			for i := range futs {
				futs[i] = shoal.Submit(ctx, ex, incFn, i)
			}
			out, err := shoal.Gather(ctx, futs)
			if err != nil {
				b.Fatal(err)
			}
			checkInc(b, out)
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "tasks/s")
	})
}

// BenchmarkClusterMap maps 1,000,000 tiny items (x+1): the per-item cost of
// Map when the items travel in chunks to other processes.
func BenchmarkClusterMap(b *testing.B) {
	const n = 1_000_000
	in := ints(n)
	ctx := context.Background()
	onBoth(b, nil, nil, func(b *testing.B, ex shoal.Executor) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := shoal.Map(ctx, ex, in, incFn)
			if err != nil {
				b.Fatal(err)
			}
			checkInc(b, out)
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "items/s")
	})
}

// burnt is what burn returns: its sum, and the CPU time it took.
type burnt struct {
	Sum float64
	CPU time.Duration
}

// burn does steps steps of CPU work (see sumFloats) and measures the CPU
// time they take on its thread, which it keeps meanwhile.
func burn(_ context.Context, steps int) (burnt, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	s := sumFloats(uint64(steps), steps)
	return burnt{Sum: s, CPU: threadCPU() - start}, nil
}

// BenchmarkClusterCPU maps 200 tasks of about 10 ms of CPU over 2 slots (2
// workers of 1 slot; a pool of 2 workers) and reports the efficiency: the
// ideal time, the CPU time the tasks took spread evenly over the 2 slots,
// over the time the Map took.
func BenchmarkClusterCPU(b *testing.B) {
	const tasks, slots = 200, 2
	steps := spinIters(10 * time.Millisecond)
	in := make([]int, tasks)
	for i := range in {
		in[i] = steps
	}
	ctx := context.Background()
	onBoth(b, []cluster.Option{cluster.Slots(1)}, []shoal.PoolOption{shoal.Workers(slots)}, func(b *testing.B, ex shoal.Executor) {
		b.ReportAllocs()
		var cpu time.Duration
		for b.Loop() {
			out, err := shoal.Map(ctx, ex, in, burn)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range out {
				cpu += r.CPU
			}
			keep(out[0].Sum)
		}
		b.ReportMetric(100*float64(cpu)/float64(slots*b.Elapsed()), "%-efficiency")
		b.ReportMetric(float64(cpu)/float64(b.N*tasks)/float64(time.Millisecond), "task-ms")
	})
}

// part is the argument of readPart: the shared value and which of its
// blocks to read.
type part struct {
	Ref   shoal.Ref[[][]float64]
	Block int
}

// readPart sums one block of the shared value.
func readPart(ctx context.Context, p part) (float64, error) {
	v, err := p.Ref.Get(ctx)
	if err != nil {
		return 0, err
	}
	return sumOf(v[p.Block]), nil
}

func sumOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// BenchmarkClusterPut puts 256 MiB of float64s and runs 16 tasks that each
// read a sixteenth of it, then releases it. On a cluster the value is
// encoded and stored once and each worker should fetch it once, however
// many of its tasks read it; on a pool Put copies nothing. It reports the
// time of Put alone and, on a cluster, the most times a worker fetched the
// value and how many workers ran tasks (from the workers' status).
//
// The value is 16 blocks of 2 Mi pseudo-random float64s (which CBOR cannot
// shorten): a single []float64 of 32 Mi elements is beyond the wire
// codec's limit of 16 Mi elements per array, and Put fails with it.
func BenchmarkClusterPut(b *testing.B) {
	const tasks, block = 16, 2 << 20
	data := make([][]float64, tasks)
	want := make([]float64, tasks)
	for i := range data {
		data[i] = make([]float64, block)
		x := uint64(i+1)*0x9E3779B97F4A7C15 | 1
		for j := range data[i] {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			data[i][j] = float64(x>>11) * 0x1p-53
		}
	}
	ctx := context.Background()
	onBoth(b, nil, nil, func(b *testing.B, ex shoal.Executor) {
		b.ReportAllocs()
		c, _ := ex.(*cluster.Cluster)
		before := workerCounts(b, c, time.Time{})
		var tput time.Duration
		futs := make([]*shoal.Future[float64], tasks)
		for b.Loop() {
			data[0][0]++ // a new value each time: an equal value is stored once
			for i, blk := range data {
				want[i] = sumOf(blk)
			}
			start := time.Now()
			ref, err := shoal.Put(ctx, ex, data)
			if err != nil {
				b.Fatal(err)
			}
			tput += time.Since(start)
			for i := range futs {
				futs[i] = shoal.Submit(ctx, ex, readPart, part{Ref: ref, Block: i})
			}
			sums, err := shoal.Gather(ctx, futs)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if !slices.Equal(sums, want) {
				b.Fatalf("the tasks' sums are %v; want %v", sums, want)
			}
			if err := ref.Release(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(tput.Microseconds())/1e3/float64(b.N), "put-ms")
		after := workerCounts(b, c, time.Now())
		var most, used float64
		for id, a := range after {
			most = max(most, float64(a.fetched-before[id].fetched)/float64(b.N))
			if a.done > before[id].done {
				used++
			}
		}
		b.ReportMetric(most, "fetches/worker")
		b.ReportMetric(used, "workers-used")
	})
}

// counts are a worker's counters, from its status.
type counts struct{ fetched, done uint64 }

// workerCounts returns the counters of c's workers by id, as they report
// them once a second, waiting for reports made after since; nil if c is
// nil (a pool). Call it outside the timed loop.
func workerCounts(b *testing.B, c *cluster.Cluster, since time.Time) map[string]counts {
	b.Helper()
	if c == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err != nil {
			b.Fatal(err)
		}
		m := map[string]counts{}
		for _, w := range st.Workers {
			if w.Updated.After(since) {
				m[w.ID] = counts{fetched: w.Fetched, done: w.Done}
			}
		}
		if len(m) == clusterWorkers {
			return m
		}
		select {
		case <-ctx.Done():
			b.Fatal(fmt.Errorf("waiting for the status of %d workers: %w (have %+v)", clusterWorkers, ctx.Err(), st.Workers))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

package cluster_test

import (
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(spin, shoal.Name("spin"))
}

// spin burns d of CPU.
func spin(_ context.Context, d time.Duration) (int, error) {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		n++
	}
	return n, nil
}

var benchSlots = 2

func benchCluster(b *testing.B, opts ...cluster.Option) *cluster.Cluster {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, append([]cluster.Option{cluster.Output(io.Discard)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkSubmitGet is the round trip of one tiny task, one at a time;
// it reports the median and 99th percentile.
func BenchmarkSubmitGet(b *testing.B) {
	c := benchCluster(b, cluster.Workers(1), cluster.Slots(1))
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if _, err := shoal.Submit(ctx, c, double, 1).Get(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkSubmitThroughput submits tiny tasks one by one to 2 workers and
// gathers them.
func BenchmarkSubmitThroughput(b *testing.B) {
	c := benchCluster(b, cluster.Workers(2), cluster.Slots(benchSlots))
	ctx := context.Background()
	const batch = 1000
	futs := make([]*shoal.Future[int], batch)
	for b.Loop() {
		for i := range futs {
			futs[i] = shoal.Submit(ctx, c, double, i)
		}
		if _, err := shoal.Gather(ctx, futs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "tasks/s")
}

// BenchmarkMapTiny maps 1,000,000 tiny items on 2 workers.
func BenchmarkMapTiny(b *testing.B) {
	c := benchCluster(b, cluster.Workers(2))
	ctx := context.Background()
	in := make([]int, 1_000_000)
	for b.Loop() {
		if _, err := shoal.Map(ctx, c, in, double); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(in))/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkMapCPU runs 200 tasks of 10ms of CPU on 2 workers of 1 slot and
// reports the efficiency against the ideal 1s.
func BenchmarkMapCPU(b *testing.B) {
	c := benchCluster(b, cluster.Workers(2), cluster.Slots(1))
	ctx := context.Background()
	in := make([]time.Duration, 200)
	for i := range in {
		in[i] = 10 * time.Millisecond
	}
	for b.Loop() {
		if _, err := shoal.Map(ctx, c, in, spin); err != nil {
			b.Fatal(err)
		}
	}
	ideal := time.Duration(b.N) * 200 * 10 * time.Millisecond / 2
	b.ReportMetric(100*ideal.Seconds()/b.Elapsed().Seconds(), "%-efficiency")
}

func init() {
	if s := os.Getenv("BENCH_SLOTS"); s != "" {
		benchSlots, _ = strconv.Atoi(s)
	}
}

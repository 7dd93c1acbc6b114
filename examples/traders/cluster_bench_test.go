package traders_test

import (
	"io"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/traders"
)

// BenchmarkClusterVsPool runs the demo's default size (20 assets × 200
// traders × 50 trades) on a pool of 2 workers and on a cluster of 2 worker
// processes × 1 slot (what `shoal demo traders --cluster 2` starts on a
// 2-core machine), one after the other in every iteration, alternating
// which goes first. cluster/pool is the ratio of the two times in the same
// iterations (issue 4's target: at most 1.15). Each iteration generates a
// table of its own (another seed), so that the workers fetch and decode it
// anew, as the demo's do.
func BenchmarkClusterVsPool(b *testing.B) {
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	c, err := cluster.Start(b.Context(), cluster.Workers(2), cluster.Slots(1), cluster.Output(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	run := func(ex shoal.Executor, d traders.Data) time.Duration {
		start := time.Now()
		if _, err := traders.Run(b.Context(), ex, d); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var onPool, onCluster time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		d := traders.Generate(traders.Config{Assets: 20, Traders: 200, Trades: 50, Seed: uint64(1 + i)})
		b.StartTimer()
		if i%2 == 0 {
			onPool += run(pool, d)
			onCluster += run(c, d)
		} else {
			onCluster += run(c, d)
			onPool += run(pool, d)
		}
		i++
	}
	b.ReportMetric(float64(onPool.Milliseconds())/float64(i), "pool-ms/op")
	b.ReportMetric(float64(onCluster.Milliseconds())/float64(i), "cluster-ms/op")
	b.ReportMetric(float64(onCluster)/float64(onPool), "cluster/pool")
}

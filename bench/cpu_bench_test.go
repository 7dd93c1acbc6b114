package bench

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

// BenchmarkCPUBound maps 8 items, each summing 10,000,000 pseudo-random
// floats, and reports the speedup over a sequential loop timed in the same
// iterations: how close a few long items come to using every core. Each
// library's row also reports where its maps' time went (see mapAccount).
func BenchmarkCPUBound(b *testing.B) {
	const items, steps = 8, 10_000_000
	seeds := ints(items) // 0 to 7: an item's seed is its index
	ctx := context.Background()
	var clock atomic.Pointer[itemClock] // where items record their times, if anywhere
	work := func(_ context.Context, seed int) (float64, error) {
		var v float64
		if c := clock.Load(); c != nil {
			c.time(seed, func() { v = sumFloats(uint64(seed), steps) })
		} else {
			v = sumFloats(uint64(seed), steps)
		}
		return v, nil
	}
	sequential := func() {
		for _, s := range seeds {
			v, _ := work(ctx, s)
			keep(v)
		}
	}

	runShoal := func() {
		out, err := shoal.Map(ctx, shoal.Default(), seeds, work)
		if err != nil {
			b.Fatal(err)
		}
		keep(out[0])
	}
	runErrgroup := func() {
		out := make([]float64, items)
		var g errgroup.Group
		g.SetLimit(procs)
		for i, s := range seeds {
			g.Go(func() (err error) {
				out[i], err = work(ctx, s)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		keep(out[0])
	}
	runConc := func() {
		out := iter.Map(seeds, func(s *int) float64 {
			v, _ := work(ctx, *s)
			return v
		})
		keep(out[0])
	}

	// accounted reports the speedup of par over the sequential loop, as
	// reportSpeedup does, and where par's time went: its items and the
	// sequential loop's record their times on the account's clocks.
	accounted := func(b *testing.B, par func()) {
		a := newMapAccount(procs, items)
		defer clock.Store(nil)
		reportSpeedup(b, func() {
			clock.Store(a.seq)
			sequential()
			a.addLoop()
		}, func() {
			clock.Store(a.par)
			start := time.Now()
			par()
			a.addMap(time.Since(start))
		})
		a.report(b)
	}

	b.Run("shoal", func(b *testing.B) {
		b.ReportAllocs()
		accounted(b, runShoal)
	})

	b.Run("conc", func(b *testing.B) {
		b.ReportAllocs()
		accounted(b, runConc)
	})

	b.Run("errgroup", func(b *testing.B) {
		b.ReportAllocs()
		accounted(b, runErrgroup)
	})

	// shoal and errgroup in the same iterations, alternating which goes
	// first: errgroup's time over shoal's, free of the drift in the
	// sequential times that the speedups above divide by.
	b.Run("shoal-vs-errgroup", func(b *testing.B) {
		teg, tshoal := paired(b, runErrgroup, runShoal)
		b.ReportMetric(float64(teg)/float64(tshoal), "errgroup/shoal")
	})
}

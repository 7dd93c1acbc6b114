package bench

import (
	"context"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

// BenchmarkCPUBound maps 8 items, each summing 10,000,000 pseudo-random
// floats, and reports the speedup over a sequential loop timed in the same
// iterations: how close a few long items come to using every core.
func BenchmarkCPUBound(b *testing.B) {
	const items, steps = 8, 10_000_000
	seeds := ints(items)
	ctx := context.Background()
	work := func(_ context.Context, seed int) (float64, error) {
		return sumFloats(uint64(seed), steps), nil
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

	b.Run("shoal", func(b *testing.B) {
		b.ReportAllocs()
		reportSpeedup(b, sequential, runShoal)
	})

	b.Run("conc", func(b *testing.B) {
		b.ReportAllocs()
		reportSpeedup(b, sequential, func() {
			out := iter.Map(seeds, func(s *int) float64 {
				v, _ := work(ctx, *s)
				return v
			})
			keep(out[0])
		})
	})

	b.Run("errgroup", func(b *testing.B) {
		b.ReportAllocs()
		reportSpeedup(b, sequential, runErrgroup)
	})

	// shoal and errgroup in the same iterations, alternating which goes
	// first: errgroup's time over shoal's, free of the drift in the
	// sequential times that the speedups above divide by.
	b.Run("shoal-vs-errgroup", func(b *testing.B) {
		teg, tshoal := paired(b, runErrgroup, runShoal)
		b.ReportMetric(float64(teg)/float64(tshoal), "errgroup/shoal")
	})
}

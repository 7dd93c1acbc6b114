package bench

import (
	"context"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

// incFn is inc behind a variable, so that the loops below call it
// indirectly, as shoal and conc do, instead of inlining it.
var incFn = inc

// checkInc fails b unless out is in plus one, elementwise (sampled).
func checkInc(b *testing.B, out []int) {
	b.Helper()
	for i := 0; i < len(out); i += 4099 {
		if out[i] != i+1 {
			b.Fatalf("out[%d] = %d, want %d", i, out[i], i+1)
		}
	}
	if n := len(out); n == 0 || out[n-1] != n {
		b.Fatalf("bad output of length %d", n)
	}
}

// BenchmarkMapInts maps 1,000,000 ints through x+1: the per-item overhead
// of a parallel map, since the function itself costs almost nothing.
func BenchmarkMapInts(b *testing.B) {
	const n = 1_000_000
	in := ints(n)
	ctx := context.Background()

	b.Run("shoal", func(b *testing.B) {
		b.ReportAllocs()
		pool := shoal.NewPool()
		defer pool.Close()
		a := startAllocs()
		for b.Loop() {
			out, err := shoal.Map(ctx, pool, in, incFn)
			if err != nil {
				b.Fatal(err)
			}
			checkInc(b, out)
		}
		reportPerItem(b, n, a, "item")
	})

	b.Run("conc", func(b *testing.B) {
		b.ReportAllocs()
		a := startAllocs()
		for b.Loop() {
			out := iter.Map(in, func(x *int) int {
				r, _ := incFn(ctx, *x)
				return r
			})
			checkInc(b, out)
		}
		reportPerItem(b, n, a, "item")
	})

	// errgroup has no map: the obvious use is a goroutine per item under
	// SetLimit.
	b.Run("errgroup", func(b *testing.B) {
		b.ReportAllocs()
		a := startAllocs()
		for b.Loop() {
			out := make([]int, n)
			var g errgroup.Group
			g.SetLimit(procs)
			for i, x := range in {
				g.Go(func() (err error) {
					out[i], err = incFn(ctx, x)
					return err
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			checkInc(b, out)
		}
		reportPerItem(b, n, a, "item")
	})

	// The hand-written lower bound: one goroutine per core, each on a
	// contiguous block.
	b.Run("errgroup-blocks", func(b *testing.B) {
		b.ReportAllocs()
		a := startAllocs()
		for b.Loop() {
			out := make([]int, n)
			var g errgroup.Group
			per := (n + procs - 1) / procs
			for lo := 0; lo < n; lo += per {
				hi := min(lo+per, n)
				g.Go(func() (err error) {
					for i := lo; i < hi; i++ {
						if out[i], err = incFn(ctx, in[i]); err != nil {
							return err
						}
					}
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			checkInc(b, out)
		}
		reportPerItem(b, n, a, "item")
	})

	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		a := startAllocs()
		for b.Loop() {
			out := make([]int, n)
			for i, x := range in {
				var err error
				if out[i], err = incFn(ctx, x); err != nil {
					b.Fatal(err)
				}
			}
			checkInc(b, out)
		}
		reportPerItem(b, n, a, "item")
	})
}

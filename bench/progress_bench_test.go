package bench

import (
	"context"
	"io"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// BenchmarkProgress maps 1,000,000 items of about 50 ns each with and
// without Progress("bench"), drawing to io.Discard. Each row with a bar also
// runs the same Map without one in the same iterations and reports ratio,
// the time with the bar over the time without.
func BenchmarkProgress(b *testing.B) {
	const n = 1_000_000
	in := ints(n)
	ctx := context.Background()
	work := func(_ context.Context, x int) (float64, error) { return sumFloats(uint64(x), 16), nil }
	pool := shoal.NewPool()
	defer pool.Close()
	mapWith := func(b *testing.B, opts ...shoal.Option) func() {
		return func() {
			out, err := shoal.Map(ctx, pool, in, work, opts...)
			if err != nil {
				b.Fatal(err)
			}
			keep(out[n-1])
		}
	}
	defer progress.Configure(progress.Config{})

	b.Run("off", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mapWith(b)()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
	})
	for _, mode := range []struct {
		name     string
		terminal bool
	}{{"plain", false}, {"terminal", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			progress.SetOutput(io.Discard, mode.terminal)
			off, on := paired(b, mapWith(b), mapWith(b, shoal.Progress("bench")))
			b.ReportMetric(float64(on.Nanoseconds())/float64(b.N*n), "ns/item")
			b.ReportMetric(float64(on)/float64(off), "ratio")
		})
	}
}

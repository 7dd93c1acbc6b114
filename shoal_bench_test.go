package shoal_test

import (
	"context"
	"testing"

	"github.com/shoal-go/shoal"
)

// The comparisons with other libraries live in the bench module; these
// measure shoal alone, for quick checks while working on the scheduler.

func BenchmarkMapInts(b *testing.B) {
	ctx := context.Background()
	p := shoal.NewPool()
	defer p.Close()
	in := ints(1_000_000)
	inc := func(_ context.Context, x int) (int, error) { return x + 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := shoal.Map(ctx, p, in, inc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/item")
}

func BenchmarkSubmitGet(b *testing.B) {
	ctx := context.Background()
	p := shoal.NewPool()
	defer p.Close()
	const n = 100_000
	fs := make([]*shoal.Future[int], n)
	b.ReportAllocs()
	for b.Loop() {
		for i := range fs {
			fs[i] = shoal.Submit(ctx, p, double, i)
		}
		for _, f := range fs {
			if _, err := f.Get(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
}

func BenchmarkStream(b *testing.B) {
	ctx := context.Background()
	p := shoal.NewPool()
	defer p.Close()
	const n = 1_000_000
	seq := func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range shoal.Stream(ctx, p, seq, double) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
}

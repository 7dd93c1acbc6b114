package array_test

import (
	"context"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

// measure runs f once and returns its duration and the bytes allocated
// meanwhile (an upper bound on the heap it added at its peak).
//
// The benchmarks run what they compare side by side in every iteration
// and report ratios of the fastest runs of each (best of b.N), which a
// shared, noisy machine disturbs least.
func measure(b *testing.B, f func() error) (time.Duration, uint64) {
	b.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc
}

// benchMean is issue 5's first benchmark: the mean of 8000×8000 normals
// in chunks of 1000×1000, run in each iteration on Workers(1) and on
// GOMAXPROCS workers, side by side.
func benchMean(b *testing.B, axis ...int) {
	const n, c = 8000, 1000
	x := array.RandomNormal(1, 0, 1, []int{n, n}, []int{c, c}).Mean(axis...)
	one := shoal.NewPool(shoal.Workers(1))
	all := shoal.NewPool()
	defer one.Close()
	defer all.Close()
	ctx := context.Background()
	t1, tn := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var alloc uint64
	for b.Loop() {
		d, _ := measure(b, func() error { _, err := x.Compute(ctx, one); return err })
		t1 = min(t1, d)
		d, a := measure(b, func() error { _, err := x.Compute(ctx, all); return err })
		tn = min(tn, d)
		alloc = max(alloc, a)
	}
	const bytes = n * n * 8
	b.ReportMetric(float64(t1)/float64(tn), "speedup")
	b.ReportMetric(float64(bytes)/1e9/tn.Seconds(), "GB/s")
	b.ReportMetric(float64(bytes)/1e9/t1.Seconds(), "GB/s-1worker")
	b.ReportMetric(float64(alloc)/(c*c*8), "alloc-chunks")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkRandomNormalMeanAxis0(b *testing.B) { benchMean(b, 0) }
func BenchmarkRandomNormalMean(b *testing.B)      { benchMean(b) }

// BenchmarkFusedChain is issue 5's second benchmark: Add, Mul, Sqrt, Sum
// over 100M elements, against a hand-written parallel loop, side by side.
func BenchmarkFusedChain(b *testing.B) {
	const n, c = 100_000_000, 1_000_000
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = float64(i%1000) * 0.001
		ys[i] = float64(i%777) * 0.002
	}
	x := array.FromSlice(xs, []int{n}, []int{c})
	y := array.FromSlice(ys, []int{n}, []int{c})
	sum := x.Add(y).Mul(x).Sqrt().Sum()
	pool := shoal.NewPool()
	defer pool.Close()
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	loop := func() float64 {
		parts := make([]float64, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				lo, hi := w*n/workers, (w+1)*n/workers
				var s float64
				for i := lo; i < hi; i++ {
					s += math.Sqrt((xs[i] + ys[i]) * xs[i])
				}
				parts[w] = s
			})
		}
		wg.Wait()
		return parts[0] + parts[1]
	}
	ta, tl := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var alloc uint64
	var got, want float64
	for b.Loop() {
		d, a := measure(b, func() (err error) { got, err = sum.Scalar(ctx, pool); return err })
		ta = min(ta, d)
		alloc = max(alloc, a)
		d, _ = measure(b, func() error { want = loop(); return nil })
		tl = min(tl, d)
	}
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		b.Fatalf("fused sum %v, loop %v", got, want)
	}
	b.ReportMetric(float64(ta)/float64(tl), "ratio-to-loop")
	b.ReportMetric(float64(2*n*8)/1e9/ta.Seconds(), "GB/s")
	b.ReportMetric(float64(2*n*8)/1e9/tl.Seconds(), "GB/s-loop")
	b.ReportMetric(float64(alloc)/float64(n*8), "alloc/array")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMatMul is issue 5's third benchmark: a 4000×4000 product in
// chunks of 1000×1000, against one call of gonum's mat.Dense.Mul on the
// same cores, side by side.
func BenchmarkMatMul(b *testing.B) {
	const n, c = 4000, 1000
	a := randDense(1, n, n, -1, 1)
	bb := randDense(2, n, n, -1, 1)
	x := array.FromSlice(a.v, []int{n, n}, []int{c, c})
	y := array.FromSlice(bb.v, []int{n, n}, []int{c, c})
	prod := x.MatMul(y)
	pool := shoal.NewPool()
	defer pool.Close()
	ctx := context.Background()
	ta, tg := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		d, _ := measure(b, func() error { _, err := prod.Compute(ctx, pool); return err })
		ta = min(ta, d)
		d, _ = measure(b, func() error {
			var m mat.Dense
			m.Mul(mat.NewDense(n, n, a.v), mat.NewDense(n, n, bb.v))
			return nil
		})
		tg = min(tg, d)
	}
	b.ReportMetric(float64(ta)/float64(tg), "ratio-to-gonum")
	b.ReportMetric(2*n*n*n/1e9/ta.Seconds(), "GFLOP/s")
	b.ReportMetric(2*n*n*n/1e9/tg.Seconds(), "GFLOP/s-gonum")
	b.ReportMetric(0, "ns/op")
}

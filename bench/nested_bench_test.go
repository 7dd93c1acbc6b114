package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/shoal-go/shoal"
	"github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

// nested is the workload of the nested benchmarks: outer items, each a
// parallel map over inner items of about itemTime of CPU each (a busy loop
// calibrated at start, not a sleep). Its gauge records how many inner items
// run at once.
type nested struct {
	outer, inner int
	iters        int // sumFloats steps per inner item
	g            gauge
}

func newNested(outer, inner int, itemTime time.Duration) *nested {
	return &nested{outer: outer, inner: inner, iters: spinIters(itemTime)}
}

// item is one inner item of outer item o.
func (n *nested) item(o, i int) float64 {
	n.g.enter()
	defer n.g.exit()
	return sumFloats(uint64(o*n.inner+i), n.iters)
}

func (n *nested) sequential() float64 {
	var s float64
	for o := range n.outer {
		for i := range n.inner {
			s += n.item(o, i)
		}
	}
	return s
}

// shoalMap nests a Map on shoal.From(ctx) inside a Map on pool.
func (n *nested) shoalMap(ctx context.Context, pool *shoal.Pool) (float64, error) {
	outer := ints(n.outer)
	inner := ints(n.inner)
	sums, err := shoal.Map(ctx, pool, outer, func(ctx context.Context, o int) (float64, error) {
		vs, err := shoal.Map(ctx, shoal.From(ctx), inner, func(_ context.Context, i int) (float64, error) {
			return n.item(o, i), nil
		})
		return sum(vs), err
	})
	return sum(sums), err
}

// shoalSubmit nests futures: each outer task submits its inner items to
// the same pool and gathers them.
func (n *nested) shoalSubmit(ctx context.Context, pool *shoal.Pool) (float64, error) {
	type pair struct{ o, i int }
	innerFn := func(_ context.Context, p pair) (float64, error) { return n.item(p.o, p.i), nil }
	outerFn := func(ctx context.Context, o int) (float64, error) {
		fs := make([]*shoal.Future[float64], n.inner)
		for i := range fs {
			fs[i] = shoal.Submit(ctx, shoal.From(ctx), innerFn, pair{o, i})
		}
		vs, err := shoal.Gather(ctx, fs)
		return sum(vs), err
	}
	fs := make([]*shoal.Future[float64], n.outer)
	for o := range fs {
		fs[o] = shoal.Submit(ctx, pool, outerFn, o)
	}
	vs, err := shoal.Gather(ctx, fs)
	return sum(vs), err
}

// errgroup nests a group with SetLimit(procs) in each task of another: the
// limits multiply.
func (n *nested) errgroup() (float64, error) {
	sums := make([]float64, n.outer)
	var g errgroup.Group
	g.SetLimit(procs)
	for o := range n.outer {
		g.Go(func() error {
			vs := make([]float64, n.inner)
			var h errgroup.Group
			h.SetLimit(procs)
			for i := range n.inner {
				h.Go(func() error {
					vs[i] = n.item(o, i)
					return nil
				})
			}
			err := h.Wait()
			sums[o] = sum(vs)
			return err
		})
	}
	err := g.Wait()
	return sum(sums), err
}

// conc nests iter.Map in iter.Map: the limits multiply.
func (n *nested) conc() float64 {
	inner := ints(n.inner)
	sums := iter.Map(ints(n.outer), func(o *int) float64 {
		return sum(iter.Map(inner, func(i *int) float64 { return n.item(*o, *i) }))
	})
	return sum(sums)
}

// pond shares one pond pool: outer tasks submit their inner tasks to it and
// wait for them. It deadlocks once every worker runs an outer task.
func (n *nested) pond() float64 {
	pool := pond.NewResultPool[float64](procs)
	defer pool.StopAndWait()
	outer := make([]pond.ResultTask[float64], n.outer)
	for o := range outer {
		outer[o] = pool.Submit(func() float64 {
			inner := make([]pond.ResultTask[float64], n.inner)
			for i := range inner {
				inner[i] = pool.Submit(func() float64 { return n.item(o, i) })
			}
			var s float64
			for _, t := range inner {
				v, _ := t.Wait()
				s += v
			}
			return s
		})
	}
	var s float64
	for _, t := range outer {
		v, _ := t.Wait()
		s += v
	}
	return s
}

// ants shares one ants pool the same way. Its Submit blocks while every
// worker is busy, so outer tasks block submitting their inner tasks.
func (n *nested) ants() (float64, error) {
	pool, err := ants.NewPool(procs)
	if err != nil {
		return 0, err
	}
	defer pool.Release()
	sums := make([]float64, n.outer)
	var wg sync.WaitGroup
	for o := range n.outer {
		wg.Add(1)
		err := pool.Submit(func() {
			defer wg.Done()
			vs := make([]float64, n.inner)
			var iwg sync.WaitGroup
			for i := range n.inner {
				iwg.Add(1)
				if err := pool.Submit(func() { vs[i] = n.item(o, i); iwg.Done() }); err != nil {
					panic(err)
				}
			}
			iwg.Wait()
			sums[o] = sum(vs)
		})
		if err != nil {
			return 0, err
		}
	}
	wg.Wait()
	return sum(sums), nil
}

func sum(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s
}

// BenchmarkNested runs 20 outer items, each a parallel map over 200 inner
// items of about 1 ms of CPU: nested parallelism that must share the cores
// rather than multiply the goroutines. max-running is the most inner items
// seen running at once; the shoal row also times a sequential run in the
// same iterations and reports the speedup.
func BenchmarkNested(b *testing.B) {
	ctx := context.Background()
	w := newNested(20, 200, time.Millisecond)

	run := func(name string, fn func() (float64, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			w.g.peak.Store(0)
			for b.Loop() {
				v, err := fn()
				if err != nil {
					b.Fatal(err)
				}
				keep(v)
			}
			b.ReportMetric(float64(w.g.peak.Load()), "max-running")
		})
	}

	b.Run("shoal", func(b *testing.B) {
		b.ReportAllocs()
		pool := shoal.NewPool()
		defer pool.Close()
		w.g.peak.Store(0)
		reportSpeedup(b, func() { keep(w.sequential()) }, func() {
			v, err := w.shoalMap(ctx, pool)
			if err != nil {
				b.Fatal(err)
			}
			keep(v)
		})
		// The sequential runs see one item at a time, so the peak is the
		// parallel runs'.
		b.ReportMetric(float64(w.g.peak.Load()), "max-running")
	})
	run("errgroup", w.errgroup)
	run("conc", func() (float64, error) { return w.conc(), nil })
}

// The deadlock probes: the nested workload, scaled down, on one shared
// pool, each in a child process that the benchmark kills after
// probeTimeout.
var probes = map[string]func(*nested) (float64, error){
	"shoal-map": func(n *nested) (float64, error) {
		p := shoal.NewPool()
		defer p.Close()
		return n.shoalMap(context.Background(), p)
	},
	"shoal-submit": func(n *nested) (float64, error) {
		p := shoal.NewPool()
		defer p.Close()
		return n.shoalSubmit(context.Background(), p)
	},
	"pond": func(n *nested) (float64, error) { return n.pond(), nil },
	"ants": func(n *nested) (float64, error) { return n.ants() },
}

// probeWorkload is the scaled-down nested workload of the probes: 20 × 200
// items of 20 µs, about 80 ms of CPU, so that a probe that has not finished
// after probeTimeout is stuck, not slow.
func probeWorkload() *nested { return newNested(20, 200, 20*time.Microsecond) }

// BenchmarkNestedSharedPool runs the nested workload (scaled down) with
// every level on ONE shared pool, the way pond and ants users nest: an
// outer task submits its inner tasks to its own pool and waits. Each peer
// runs in a child process killed after probeTimeout. deadlock is 1 if it
// did not finish; probe-ms is how long it ran; max-running as above.
func BenchmarkNestedSharedPool(b *testing.B) {
	for _, name := range []string{"shoal-map", "shoal-submit", "pond", "ants"} {
		b.Run(name, func(b *testing.B) {
			var r probeResult
			for b.Loop() {
				r = runProbe(b, name)
			}
			b.ReportMetric(r.deadlock, "deadlock")
			b.ReportMetric(float64(r.elapsed)/1e6, "probe-ms")
			if r.deadlock == 0 {
				b.ReportMetric(float64(r.maxRunning), "max-running")
			} else {
				b.Logf("%s: %s", name, r.reason)
			}
		})
	}
}

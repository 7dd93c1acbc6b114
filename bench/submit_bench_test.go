package bench

import (
	"context"
	"sync"
	"testing"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/shoal-go/shoal"
	"golang.org/x/sync/errgroup"
)

// BenchmarkSubmitGet submits 1,000,000 tiny tasks (x+1), then collects every
// result: the cost of one future, or of whatever stands for one. Each row
// runs one round untimed first (loopPerItem): benchtable runs few
// iterations, and the first round also pays for growing the heap.
func BenchmarkSubmitGet(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()

	b.Run("shoal", func(b *testing.B) {
		b.ReportAllocs()
		pool := shoal.NewPool()
		defer pool.Close()
		futs := make([]*shoal.Future[int], n)
		loopPerItem(b, n, "task", func() {
			for i := range futs {
				futs[i] = shoal.Submit(ctx, pool, incFn, i)
			}
			for i, f := range futs {
				if v, err := f.Get(ctx); err != nil || v != i+1 {
					b.Fatalf("task %d: got %d, %v", i, v, err)
				}
			}
		})
	})

	b.Run("pond", func(b *testing.B) {
		b.ReportAllocs()
		pool := pond.NewResultPool[int](procs)
		defer pool.StopAndWait()
		tasks := make([]pond.ResultTask[int], n)
		loopPerItem(b, n, "task", func() {
			for i := range tasks {
				tasks[i] = pool.Submit(func() int {
					r, _ := incFn(ctx, i)
					return r
				})
			}
			for i, t := range tasks {
				if v, err := t.Wait(); err != nil || v != i+1 {
					b.Fatalf("task %d: got %d, %v", i, v, err)
				}
			}
		})
	})

	// errgroup has no futures: each task writes its slot of a results
	// slice, and Wait stands for getting them all.
	b.Run("errgroup", func(b *testing.B) {
		b.ReportAllocs()
		res := make([]int, n)
		loopPerItem(b, n, "task", func() {
			var g errgroup.Group
			g.SetLimit(procs)
			for i := range res {
				g.Go(func() (err error) {
					res[i], err = incFn(ctx, i)
					return err
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			checkInc(b, res)
		})
	})

	// ants has no futures either: a results slice and a WaitGroup.
	b.Run("ants", func(b *testing.B) {
		b.ReportAllocs()
		pool, err := ants.NewPool(procs)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Release()
		res := make([]int, n)
		loopPerItem(b, n, "task", func() {
			var wg sync.WaitGroup
			wg.Add(n)
			for i := range res {
				if err := pool.Submit(func() {
					res[i], _ = incFn(ctx, i)
					wg.Done()
				}); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
			checkInc(b, res)
		})
	})

	// The floor under any future-per-task design: allocate one object per
	// task of the size of a shoal task[int, int] (80 bytes, with pointer
	// words) and keep them all, as the futures slice keeps the futures; no
	// scheduling.
	b.Run("floor-alloc", func(b *testing.B) {
		b.ReportAllocs()
		objs := make([]*object80, n)
		loopPerItem(b, n, "task", func() {
			for i := range objs {
				objs[i] = &object80{ctx: ctx, n: i}
			}
		})
	})
}

// object80 is 80 bytes with pointer words, like a shoal task[int, int].
type object80 struct {
	ctx context.Context
	n   int
	p   [7]*int
}

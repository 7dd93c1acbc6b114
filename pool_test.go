package shoal_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
)

func TestNewPoolSize(t *testing.T) {
	t.Parallel()
	if got, want := shoal.NewPool().Size(), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("NewPool().Size() = %d, want GOMAXPROCS %d", got, want)
	}
	if got := shoal.NewPool(shoal.Workers(3)).Size(); got != 3 {
		t.Errorf("Workers(3) size = %d", got)
	}
	mustPanic(t, "Workers(0)", func() { shoal.NewPool(shoal.Workers(0)) })
	mustPanic(t, "Workers(-1)", func() { shoal.NewPool(shoal.Workers(-1)) })
}

func TestClosedPoolRejectsWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := shoal.NewPool(shoal.Workers(2))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := shoal.Map(ctx, p, ints(5), double); !errors.Is(err, shoal.ErrClosed) {
		t.Errorf("Map on closed pool: %v, want ErrClosed", err)
	}
	if err := shoal.ForEach(ctx, p, ints(5), func(context.Context, int) error { return nil }); !errors.Is(err, shoal.ErrClosed) {
		t.Errorf("ForEach on closed pool: %v, want ErrClosed", err)
	}
	if _, err := shoal.Submit(ctx, p, double, 1).Get(ctx); !errors.Is(err, shoal.ErrClosed) {
		t.Errorf("Submit on closed pool: %v, want ErrClosed", err)
	}
	for _, err := range shoal.Stream(ctx, p, slices.Values(ints(5)), double) {
		if !errors.Is(err, shoal.ErrClosed) {
			t.Errorf("Stream on closed pool yielded %v, want ErrClosed", err)
		}
	}
	if _, err := shoal.Put(ctx, p, 1); !errors.Is(err, shoal.ErrClosed) {
		t.Errorf("Put on closed pool: %v, want ErrClosed", err)
	}
	// Empty input has nothing to submit and succeeds.
	if out, err := shoal.Map(ctx, p, nil, double); err != nil || len(out) != 0 {
		t.Errorf("Map(nil) on closed pool = %v, %v", out, err)
	}
}

func TestCloseWaitsForQueuedWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := shoal.NewPool(shoal.Workers(1))
	release := make(chan struct{})
	var fs []*shoal.Future[int]
	for i := range 10 {
		fs = append(fs, shoal.Go(ctx, p, func(context.Context) (int, error) {
			<-release
			return i, nil
		}))
	}
	closed := make(chan struct{})
	go func() {
		p.Close()
		close(closed)
	}()
	close(release)
	<-closed
	for i, f := range fs {
		if !f.Ready() {
			t.Fatalf("future %d not ready after Close returned", i)
		}
	}
}

// Nested work at depth 3 — Map in Map in Map, futures, Gather and a Stream
// inside — completes on a single worker.
func TestNestingDepth3OnOneWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	out, err := shoal.Map(ctx, p, ints(4), func(ctx context.Context, a int) (int, error) {
		mid, err := shoal.Map(ctx, shoal.From(ctx), ints(3), func(ctx context.Context, b int) (int, error) {
			leaf, err := shoal.Map(ctx, shoal.From(ctx), ints(5), func(ctx context.Context, c int) (int, error) {
				return a*100 + b*10 + c, nil
			})
			if err != nil {
				return 0, err
			}
			var fs []*shoal.Future[int]
			for _, v := range leaf {
				fs = append(fs, shoal.Submit(ctx, shoal.From(ctx), double, v))
			}
			doubled, err := shoal.Gather(ctx, fs)
			if err != nil {
				return 0, err
			}
			sum := 0
			for r, err := range shoal.Stream(ctx, shoal.From(ctx), slices.Values(doubled), double) {
				if err != nil {
					return 0, err
				}
				sum += r
			}
			return sum, nil
		})
		if err != nil {
			return 0, err
		}
		total := 0
		for _, v := range mid {
			total += v
		}
		return total, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for a, got := range out {
		want := 0
		for b := range 3 {
			for c := range 5 {
				want += 4 * (a*100 + b*10 + c)
			}
		}
		if got != want {
			t.Errorf("out[%d] = %d, want %d", a, got, want)
		}
	}
}

// No more than Workers(n) user functions run at once, however deep the
// nesting: a function that waits on nested work is not running.
func TestConcurrencyBoundWhenNested(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3} {
		ctx := context.Background()
		p := newPool(t, n)
		var g gauge
		leaf := func(ctx context.Context, x int) (int, error) {
			g.enter()
			defer g.exit()
			return spin(2000 + x), nil
		}
		mid := func(ctx context.Context, x int) (int, error) {
			g.enter()
			spin(1000)
			g.exit()
			out, err := shoal.Map(ctx, shoal.From(ctx), ints(20), leaf)
			g.enter()
			defer g.exit()
			f := shoal.Submit(ctx, shoal.From(ctx), leaf, x)
			g.exit()
			v, err2 := f.Get(ctx)
			g.enter()
			return len(out) + v, errors.Join(err, err2)
		}
		top := func(ctx context.Context, x int) (int, error) {
			g.enter()
			spin(1000)
			g.exit()
			out, err := shoal.Map(ctx, shoal.From(ctx), ints(6), mid)
			return len(out), err
		}
		if _, err := shoal.Map(ctx, p, ints(8), top); err != nil {
			t.Fatal(err)
		}
		if m := g.max.Load(); m > int64(n) {
			t.Errorf("Workers(%d): %d user functions ran at once", n, m)
		}
	}
}

// A task that calls runtime.Goexit (as t.FailNow does) fails its future
// and the pool goes on.
func TestGoexitFailsOnlyItsTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	f := shoal.Go(ctx, p, func(context.Context) (int, error) {
		runtime.Goexit()
		return 0, nil
	})
	if _, err := f.Get(ctx); err == nil {
		t.Fatal("Goexit task succeeded")
	}
	if v, err := shoal.Submit(ctx, p, double, 21).Get(ctx); v != 42 || err != nil {
		t.Fatalf("after Goexit: %d, %v", v, err)
	}
}

func TestFromOutsideTaskIsDefault(t *testing.T) {
	t.Parallel()
	if shoal.From(context.Background()) != shoal.Executor(shoal.Default()) {
		t.Error("From outside a task is not Default()")
	}
	p := newPool(t, 2)
	ex, err := shoal.Go(context.Background(), p, func(ctx context.Context) (shoal.Executor, error) {
		return shoal.From(ctx), nil
	}).Get(context.Background())
	if err != nil || ex != shoal.Executor(p) {
		t.Errorf("From inside a task = %v, %v; want the pool", ex, err)
	}
}

func double(_ context.Context, x int) (int, error) { return 2 * x, nil }

// Two items on a pool of two idle workers run at the same time: neither
// waits behind the other in a worker's deque while the other slot is free.
func TestIdleWorkersRunItemsInParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	for range 300 {
		var wg sync.WaitGroup
		wg.Add(2)
		met := make(chan struct{})
		go func() {
			wg.Wait()
			close(met)
		}()
		_, err := shoal.Map(ctx, p, ints(2), func(context.Context, int) (int, error) {
			wg.Done()
			select {
			case <-met: // both items are running
				return 0, nil
			case <-time.After(10 * time.Second):
				return 0, errors.New("the other item never started while this one ran")
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

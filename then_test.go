package shoal_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-go/shoal"
)

func sum(_ context.Context, xs []int) (int, error) {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s, nil
}

func TestThen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	release := make(chan struct{})
	f := shoal.Go(ctx, p, func(context.Context) (int, error) {
		<-release
		return 21, nil
	})
	g := shoal.Then(ctx, p, f, double)
	h := shoal.Then(ctx, p, g, func(_ context.Context, x int) (string, error) { return strconv.Itoa(x), nil })
	if g.Ready() || h.Ready() {
		t.Fatal("a dependent is ready before its input")
	}
	close(release)
	if v, err := h.Get(ctx); v != "42" || err != nil {
		t.Fatalf("Then chain = %q, %v; want 42", v, err)
	}
	if v, err := g.Get(ctx); v != 42 || err != nil {
		t.Fatalf("Then = %d, %v; want 42", v, err)
	}
}

// A long chain and a tree reduction built before anything runs, on one
// worker, awaited from outside the pool.
func TestThenGraphs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	f := shoal.Submit(ctx, p, double, 1)
	for range 20 {
		f = shoal.Then(ctx, p, f, double)
	}
	if v, err := f.Get(ctx); v != 1<<21 || err != nil {
		t.Fatalf("chain of 21 doublings = %d, %v", v, err)
	}

	const n = 100
	level := make([]*shoal.Future[int], n)
	for i := range level {
		level[i] = shoal.Submit(ctx, p, double, i)
	}
	for len(level) > 1 {
		var next []*shoal.Future[int]
		for i := 0; i < len(level); i += 3 {
			next = append(next, shoal.ThenAll(ctx, p, level[i:min(i+3, len(level))], sum))
		}
		level = next
	}
	if v, err := level[0].Get(ctx); v != n*(n-1) || err != nil {
		t.Fatalf("tree sum = %d, %v; want %d", v, err, n*(n-1))
	}

	empty := shoal.ThenAll(ctx, p, nil, sum)
	if v, err := empty.Get(ctx); v != 0 || err != nil {
		t.Fatalf("ThenAll of no inputs = %d, %v", v, err)
	}
}

// A pool task that builds a graph on its own pool and waits on it must not
// deadlock on one worker: waiting runs the queued inputs.
func TestThenNested(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	f := shoal.Go(ctx, p, func(ctx context.Context) (int, error) {
		ex := shoal.From(ctx)
		a := shoal.Submit(ctx, ex, double, 3)
		b := shoal.Submit(ctx, ex, double, 4)
		c := shoal.Then(ctx, ex, shoal.ThenAll(ctx, ex, []*shoal.Future[int]{a, b}, sum), double)
		return c.Get(ctx)
	})
	if v, err := f.Get(ctx); v != 28 || err != nil {
		t.Fatalf("nested graph = %d, %v; want 28", v, err)
	}
}

func TestThenInputFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	boom := errors.New("boom")
	var ran atomic.Int32
	count := func(_ context.Context, xs []int) (int, error) {
		ran.Add(1)
		return len(xs), nil
	}
	bad := shoal.Go(ctx, p, func(context.Context) (int, error) { return 0, boom })

	g := shoal.Then(ctx, p, bad, double)
	_, err := g.Get(ctx)
	var ie *shoal.InputError
	if !errors.As(err, &ie) || ie.Input != 0 || !errors.Is(err, boom) {
		t.Fatalf("Then of a failed input = %v, want *InputError{0} wrapping boom", err)
	}

	// The failed input is the second: the dependent fails at once, while the
	// first is still running.
	release := make(chan struct{})
	defer close(release)
	slow := shoal.Go(ctx, p, func(context.Context) (int, error) {
		<-release
		return 1, nil
	})
	all := shoal.ThenAll(ctx, p, []*shoal.Future[int]{slow, bad}, count)
	_, err = all.Get(ctx)
	if !errors.As(err, &ie) || ie.Input != 1 || !errors.Is(err, boom) {
		t.Fatalf("ThenAll with input 1 failed = %v, want *InputError{1} wrapping boom", err)
	}
	if slow.Ready() {
		t.Fatal("the slow input finished before the dependent failed: not fail-fast")
	}

	// A dependent of a dependent names its own input.
	gg := shoal.Then(ctx, p, g, double)
	if _, err := gg.Get(ctx); !errors.As(err, &ie) || !errors.Is(err, boom) {
		t.Fatalf("second-level dependent = %v", err)
	}
	if ran.Load() != 0 {
		t.Fatalf("a dependent of a failed input ran %d times", ran.Load())
	}
}

func TestThenPanics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	f := shoal.Submit(ctx, p, double, 1)
	g := shoal.Then(ctx, p, f, func(context.Context, int) (int, error) { panic("bad dependent") })
	var pe *shoal.PanicError
	if _, err := g.Get(ctx); !errors.As(err, &pe) || pe.Value != "bad dependent" {
		t.Fatalf("panicking dependent = %v, want *PanicError", err)
	}
	if v, err := shoal.Then(ctx, p, f, double).Get(ctx); v != 4 || err != nil {
		t.Fatalf("the pool after a panic: %d, %v", v, err)
	}
}

func TestThenCancel(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	release := make(chan struct{})
	defer close(release)
	var ran atomic.Int32
	counted := func(_ context.Context, x int) (int, error) {
		ran.Add(1)
		return x, nil
	}

	// The caller's ctx ends while the input runs: the dependent fails at
	// once with ctx's error and never runs.
	ctx, cancel := context.WithCancel(context.Background())
	in := shoal.Go(context.Background(), p, func(context.Context) (int, error) {
		<-release
		return 1, nil
	})
	g := shoal.Then(ctx, p, in, counted)
	cancel()
	if _, err := g.Get(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("dependent after ctx cancel = %v, want context.Canceled", err)
	}

	// Cancel on the dependent stops it, not its input.
	h := shoal.Then(context.Background(), p, in, counted)
	h.Cancel()
	if err := h.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dependent = %v", err)
	}
	if in.Ready() {
		t.Fatal("cancelling a dependent finished its input")
	}

	// A ctx already done fails the dependent without waiting.
	if _, err := shoal.Then(ctx, p, in, counted).Get(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Then with a done ctx = %v", err)
	}

	release <- struct{}{} // in finishes; the cancelled dependents still never run
	if _, err := in.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := shoal.Then(context.Background(), p, in, counted).Get(context.Background()); v != 1 || err != nil {
		t.Fatalf("Then after the input finished = %d, %v", v, err)
	}
	if ran.Load() != 1 {
		t.Fatalf("dependents ran %d times, want 1 (only the last)", ran.Load())
	}
}

// Cancels racing with completions: every dependent ends exactly once, with
// its value or context.Canceled.
func TestThenCancelRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	var wg sync.WaitGroup
	for i := range 200 {
		f := shoal.Submit(ctx, p, double, i)
		g := shoal.Then(ctx, p, f, double)
		wg.Go(func() {
			if i%2 == 0 {
				g.Cancel()
			}
			v, err := g.Get(ctx)
			if err == nil && v != 4*i || err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("dependent %d = %d, %v", i, v, err)
			}
		})
	}
	wg.Wait()
}

func TestThenMisuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	f := shoal.Submit(ctx, p, double, 1)
	mustPanic(t, "nil future", func() { shoal.Then(ctx, p, nil, double) })
	mustPanic(t, "nil function", func() { shoal.Then[int, int](ctx, p, f, nil) })
	mustPanic(t, "nil executor", func() { shoal.Then(ctx, nil, f, double) })
	mustPanic(t, "nil input of ThenAll", func() { shoal.ThenAll(ctx, p, []*shoal.Future[int]{f, nil}, sum) })
	mustPanic(t, "nil function of ThenAll", func() { shoal.ThenAll[int, int](ctx, p, nil, nil) })

	closed := shoal.NewPool(shoal.Workers(1))
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := shoal.Then(ctx, closed, f, double).Get(ctx); !errors.Is(err, shoal.ErrClosed) {
		t.Fatalf("Then on a closed pool = %v, want ErrClosed", err)
	}
}

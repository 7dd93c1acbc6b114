package shoal_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
)

func iota(_ context.Context, n int) ([]int, error) {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i
	}
	return xs, nil
}

func total(_ context.Context, xs []int) (int, error) { return sum(context.Background(), xs) }

func totals(_ context.Context, xss [][]int) (int, error) {
	s := 0
	for _, xs := range xss {
		s += len(xs)
	}
	return s, nil
}

func init() {
	shoal.Register(iota)
	shoal.Register(total)
	shoal.Register(totals)
	shoal.Register(sum)
}

// A large result consumed by a dependent on the cluster goes from task to
// task by reference: this process fetches it only when asked for it.
func TestThenRemoteByReference(t *testing.T) {
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	cl.keepAbove = 64

	big := shoal.Submit(ctx, cl, iota, 1000)
	s := shoal.Then(ctx, cl, big, total)
	if v, err := s.Get(ctx); v != 999*1000/2 || err != nil {
		t.Fatalf("Then over a kept result = %d, %v", v, err)
	}
	if n := cl.resultFetches.Load(); n != 0 {
		t.Fatalf("the driver fetched %d results; the value should have stayed in the cluster", n)
	}

	// Two kept inputs and a small one, in one list, still without fetching.
	small := shoal.Submit(ctx, cl, iota, 3)
	n, err := shoal.ThenAll(ctx, cl, []*shoal.Future[[]int]{big, small, shoal.Submit(ctx, cl, iota, 500)}, totals).Get(ctx)
	if n != 1503 || err != nil {
		t.Fatalf("ThenAll over kept and inline results = %d, %v", n, err)
	}
	if n := cl.resultFetches.Load(); n != 0 {
		t.Fatalf("the driver fetched %d results for ThenAll", n)
	}

	// Asking for the value fetches it, once.
	for range 2 {
		if xs, err := big.Get(ctx); len(xs) != 1000 || xs[999] != 999 || err != nil {
			t.Fatalf("Get of a kept result = %d values, %v", len(xs), err)
		}
	}
	if n := cl.resultFetches.Load(); n != 1 {
		t.Fatalf("Get fetched the result %d times, want 1", n)
	}
	// A fetched input passes by value.
	if v, err := shoal.Then(ctx, cl, big, total).Get(ctx); v != 999*1000/2 || err != nil {
		t.Fatalf("Then over a fetched result = %d, %v", v, err)
	}

	// Every way of asking for the value fetches it.
	asks := map[string]func(f *shoal.Future[[]int]){
		"Ready":  func(f *shoal.Future[[]int]) { f.Ready() },
		"Err":    func(f *shoal.Future[[]int]) { _ = f.Err() },
		"Done":   func(f *shoal.Future[[]int]) { f.Done() },
		"Gather": func(f *shoal.Future[[]int]) { _, _ = shoal.Gather(ctx, []*shoal.Future[[]int]{f}) },
	}
	for name, ask := range asks {
		f := shoal.Submit(ctx, cl, iota, 100)
		shoal.Then(ctx, cl, f, total).Wait(ctx) // the call has ended: its result is kept
		ask(f)
		<-f.Done()
		if xs, err := f.Get(ctx); len(xs) != 100 || err != nil {
			t.Errorf("%s, then Get = %d values, %v", name, len(xs), err)
		}
	}
}

// Local futures and cluster futures mix; failures and cancels pass along.
func TestThenRemoteInputs(t *testing.T) {
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	cl.keepAbove = 64
	p := newPool(t, 2)

	local := shoal.Submit(ctx, p, iota, 10)
	remote := shoal.Submit(ctx, cl, iota, 100)
	if v, err := shoal.ThenAll(ctx, cl, []*shoal.Future[[]int]{local, remote}, totals).Get(ctx); v != 110 || err != nil {
		t.Fatalf("ThenAll of a local and a cluster future, on the cluster = %d, %v", v, err)
	}
	// A kept result consumed on a pool is fetched.
	if v, err := shoal.Then(ctx, p, shoal.Submit(ctx, cl, iota, 100), total).Get(ctx); v != 4950 || err != nil {
		t.Fatalf("Then on a pool over a kept cluster result = %d, %v", v, err)
	}

	seven := shoal.Submit(ctx, cl, failOn7, 7)
	var ie *shoal.InputError
	if _, err := shoal.Then(ctx, cl, seven, square).Get(ctx); !errors.As(err, &ie) || ie.Input != 0 || ie.Err.Error() == "" {
		t.Fatalf("Then on the cluster over a failed input = %v", err)
	}
	ok := shoal.Submit(ctx, cl, square, 3)
	if _, err := shoal.ThenAll(ctx, cl, []*shoal.Future[int]{ok, seven}, sum).Get(ctx); !errors.As(err, &ie) || ie.Input != 1 {
		t.Fatalf("ThenAll on the cluster over a failed input = %v", err)
	}

	unregistered := func(_ context.Context, x int) (int, error) { return x, nil }
	if _, err := shoal.Then(ctx, cl, ok, unregistered).Get(ctx); !errors.Is(err, shoal.ErrNotRegistered) {
		t.Fatalf("Then with an unregistered function on a cluster = %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	block := make(chan struct{})
	slow := shoal.Go(ctx, p, func(context.Context) (int, error) { <-block; return 1, nil })
	dep := shoal.Then(cctx, cl, slow, square)
	cancel()
	if _, err := dep.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Then on the cluster after cancel = %v", err)
	}
	dep2 := shoal.Then(ctx, cl, slow, square)
	dep2.Cancel()
	close(block)
	if err := dep2.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dependent = %v", err)
	}
	calls := cl.calls.Load()
	if _, err := slow.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := shoal.Then(ctx, cl, slow, square).Get(ctx); v != 1 || err != nil {
		t.Fatalf("Then after the input = %d, %v", v, err)
	}
	if got := cl.calls.Load() - calls; got != 1 {
		t.Fatalf("%d calls after the cancels, want 1: a cancelled dependent was sent", got)
	}
}

// A kept result is deleted from the cluster once its future is garbage
// collected.
func TestThenRemoteDropsKept(t *testing.T) {
	ctx := context.Background()
	cl := newFakeCluster(t, 1)
	cl.keepAbove = 64
	func() {
		f := shoal.Submit(ctx, cl, iota, 1000)
		if err := shoal.Then(ctx, cl, f, total).Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.After(30 * time.Second) // a failure bound, not a synchronization
	for {
		runtime.GC()
		select {
		case ref := <-cl.drops:
			cl.mu.Lock()
			left := slices.Collect(func(yield func(string) bool) {
				for id := range cl.objects {
					if !yield(id) {
						return
					}
				}
			})
			cl.mu.Unlock()
			if slices.Contains(left, ref) {
				t.Fatalf("dropped result %s is still stored", ref)
			}
			return
		case <-deadline:
			t.Fatal("the kept result of an unreachable future was never dropped")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

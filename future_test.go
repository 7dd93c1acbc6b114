package shoal_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/shoal-go/shoal"
)

func TestFutureLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	release := make(chan struct{})
	f := shoal.Go(ctx, p, func(context.Context) (string, error) {
		<-release
		return "done", nil
	})
	if f.Ready() || f.Err() != nil {
		t.Fatalf("pending future: Ready %v, Err %v", f.Ready(), f.Err())
	}
	select {
	case <-f.Done():
		t.Fatal("Done closed before the task finished")
	default:
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Get(short); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a done ctx = %v, want context.Canceled", err)
	}
	close(release)
	<-f.Done()
	if v, err := f.Get(ctx); v != "done" || err != nil || !f.Ready() || f.Err() != nil {
		t.Errorf("Get = %q, %v; Ready %v", v, err, f.Ready())
	}
	if err := f.Wait(ctx); err != nil {
		t.Errorf("Wait = %v", err)
	}
}

func TestFutureErrorAndPanic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	f := shoal.Submit(ctx, p, func(context.Context, int) (int, error) { return 0, errBoom }, 1)
	if err := f.Wait(ctx); !errors.Is(err, errBoom) || !errors.Is(f.Err(), errBoom) {
		t.Errorf("Wait = %v, Err = %v; want boom", err, f.Err())
	}
	g := shoal.Go(ctx, p, func(context.Context) (int, error) { panic("oops") })
	var pe *shoal.PanicError
	if _, err := g.Get(ctx); !errors.As(err, &pe) || pe.Value != "oops" || len(pe.Stack) == 0 {
		t.Errorf("panicking task: %v, want *PanicError with value and stack", err)
	}
}

func TestFutureCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	started := make(chan struct{})
	running := shoal.Go(ctx, p, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done() // returns only when cancelled
		return 0, ctx.Err()
	})
	ran := false
	queued := shoal.Go(ctx, p, func(context.Context) (int, error) { ran = true; return 1, nil })
	<-started
	queued.Cancel()
	if _, err := queued.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled queued task: %v", err)
	}
	running.Cancel()
	if _, err := running.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled running task: %v", err)
	}
	p.Close() // waits for the running task, which must have seen the cancellation
	if ran {
		t.Error("a task cancelled while queued ran")
	}
	running.Cancel() // on a done future: nothing
}

func TestSubmitWithDoneContext(t *testing.T) {
	t.Parallel()
	p := newPool(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	f := shoal.Go(ctx, p, func(context.Context) (int, error) { ran = true; return 0, nil })
	if _, err := f.Get(context.Background()); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Submit with done ctx: err %v, ran %v", err, ran)
	}
}

func TestTaskContextFollowsParent(t *testing.T) {
	t.Parallel()
	p := newPool(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	f := shoal.Go(ctx, p, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	})
	<-started
	cancel()
	if _, err := f.Get(context.Background()); !errors.Is(err, context.Canceled) {
		t.Errorf("task after parent cancel: %v", err)
	}
}

func TestGather(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 3)
	var fs []*shoal.Future[int]
	for i := range 50 {
		fs = append(fs, shoal.Submit(ctx, p, double, i))
	}
	out, err := shoal.Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != 2*i {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
	// A failure is reported as soon as it happens, with its index, even
	// while an earlier future is still pending.
	block := make(chan struct{})
	defer close(block)
	slow := shoal.Go(ctx, p, func(context.Context) (int, error) { <-block; return 0, nil })
	bad := shoal.Go(ctx, p, func(context.Context) (int, error) { return 0, errBoom })
	_, err = shoal.Gather(ctx, []*shoal.Future[int]{slow, bad})
	var te *shoal.TaskError
	if !errors.As(err, &te) || te.Index != 1 || !errors.Is(err, errBoom) {
		t.Errorf("Gather = %v, want *TaskError index 1", err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := shoal.Gather(short, []*shoal.Future[int]{slow}); !errors.Is(err, context.Canceled) {
		t.Errorf("Gather with done ctx = %v", err)
	}
}

func TestAsCompletedYieldsInCompletionOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	// Each task waits at its gate, and one gate is open at a time: task 3's
	// first, then, as each task's future comes out, the previous task's,
	// so they finish 3, 2, 1, 0. (Tasks that opened each other's gates
	// could finish out of order, or all before AsCompleted looked.)
	gates := make([]chan struct{}, 4)
	var fs []*shoal.Future[int]
	for i := range gates {
		gates[i] = make(chan struct{})
		fs = append(fs, shoal.Go(ctx, p, func(context.Context) (int, error) {
			<-gates[i]
			return i, nil
		}))
	}
	close(gates[3])
	var order []int
	for f := range shoal.AsCompleted(ctx, fs) {
		v, _ := f.Get(ctx)
		order = append(order, v)
		if v > 0 && len(order) < len(gates) {
			close(gates[v-1])
		}
	}
	if want := []int{3, 2, 1, 0}; !slices.Equal(order, want) {
		t.Errorf("completion order %v, want %v", order, want)
	}
	// Breaking out early is fine.
	for range shoal.AsCompleted(ctx, fs) {
		break
	}
}

// A task that submits sub-tasks and waits for them completes on one
// worker: the waiting task runs its queued sub-tasks itself.
func TestSubmitAndWaitInsideTaskOnOneWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 1)
	var fib func(ctx context.Context, n int) (int, error)
	fib = func(ctx context.Context, n int) (int, error) {
		if n < 2 {
			return n, nil
		}
		a := shoal.Submit(ctx, shoal.From(ctx), fib, n-1)
		b := shoal.Submit(ctx, shoal.From(ctx), fib, n-2)
		out, err := shoal.Gather(ctx, []*shoal.Future[int]{a, b})
		if err != nil {
			return 0, err
		}
		return out[0] + out[1], nil
	}
	if v, err := shoal.Submit(ctx, p, fib, 15).Get(ctx); v != 610 || err != nil {
		t.Errorf("fib(15) = %d, %v; want 610", v, err)
	}
}

// A task waiting on a future of another pool must not run that future's
// task on its own slot: it would run outside its pool's bound, and with
// the wrong pool in its context.
func TestWaitOnAnotherPoolsFuture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newPool(t, 1), newPool(t, 1)
	releaseB := make(chan struct{})
	bBusy := make(chan struct{})
	shoal.Go(ctx, b, func(context.Context) (int, error) {
		close(bBusy)
		<-releaseB
		return 0, nil
	})
	<-bBusy
	var ranOn shoal.Executor
	outer := shoal.Go(ctx, a, func(ctx context.Context) (int, error) {
		inner := shoal.Go(ctx, b, func(ctx context.Context) (int, error) {
			ranOn = shoal.From(ctx)
			return 1, nil
		})
		return inner.Get(ctx)
	})
	// a has one slot: this probe runs only once outer waits with its slot
	// lent out, or has finished.
	probe := shoal.Go(ctx, a, func(context.Context) (int, error) { return 0, nil })
	if err := probe.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	close(releaseB)
	if v, err := outer.Get(ctx); v != 1 || err != nil {
		t.Fatalf("outer = %d, %v", v, err)
	}
	if ranOn != b {
		t.Errorf("the task of pool b ran with executor %v, want b", ranOn)
	}
}

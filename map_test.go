package shoal_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
)

func TestMapOrderAndChunking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	for _, n := range []int{0, 1, 7, 100, 10_000} {
		for _, opts := range [][]shoal.Option{nil, {shoal.ChunkSize(1)}, {shoal.ChunkSize(3)}, {shoal.ChunkSize(100_000)}, {shoal.Limit(1)}} {
			out, err := shoal.Map(ctx, p, ints(n), double, opts...)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			if len(out) != n {
				t.Fatalf("n=%d: %d results", n, len(out))
			}
			for i, v := range out {
				if v != 2*i {
					t.Fatalf("n=%d opts=%d: out[%d] = %d, want %d", n, len(opts), i, v, 2*i)
				}
			}
		}
	}
}

func TestForEachVisitsEveryItemOnce(t *testing.T) {
	t.Parallel()
	p := newPool(t, 3)
	seen := make([]atomic.Int32, 1000)
	err := shoal.ForEach(context.Background(), p, ints(1000), func(_ context.Context, i int) error {
		seen[i].Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("item %d visited %d times", i, n)
		}
	}
}

var errBoom = errors.New("boom")

func TestMapFailFast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	var cancelled atomic.Int32
	out, err := shoal.Map(ctx, p, ints(50), func(ctx context.Context, i int) (int, error) {
		if i == 3 {
			return 0, errBoom
		}
		if i < 8 { // these wait until the failure cancels them
			<-ctx.Done()
			cancelled.Add(1)
			return 0, ctx.Err()
		}
		return i, nil
	}, shoal.ChunkSize(1))
	if out != nil {
		t.Errorf("fail-fast Map returned results %v", out)
	}
	var te *shoal.TaskError
	if !errors.As(err, &te) || te.Index != 3 || !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want *TaskError for item 3 wrapping boom", err)
	}
	if !strings.Contains(err.Error(), "item 3") {
		t.Errorf("message %q does not name the item", err)
	}
	if cancelled.Load() == 0 {
		t.Error("no other item saw its context cancelled")
	}
}

func TestMapCollectErrors(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	out, err := shoal.Map(context.Background(), p, ints(10), func(_ context.Context, i int) (int, error) {
		if i == 2 || i == 7 {
			return 0, fmt.Errorf("bad %d", i)
		}
		return i * 10, nil
	}, shoal.CollectErrors())
	if err == nil {
		t.Fatal("no error")
	}
	var idx []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var te *shoal.TaskError
		if !errors.As(e, &te) {
			t.Fatalf("joined error %v is not a *TaskError", e)
		}
		idx = append(idx, te.Index)
	}
	if !slices.Equal(idx, []int{2, 7}) {
		t.Errorf("failed indices %v, want [2 7]", idx)
	}
	for i, v := range out {
		want := i * 10
		if i == 2 || i == 7 {
			want = 0
		}
		if v != want {
			t.Errorf("out[%d] = %d, want %d", i, v, want)
		}
	}
}

func TestMapPanicFailsOnlyTheItem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	for _, opts := range [][]shoal.Option{{shoal.CollectErrors()}, {shoal.CollectErrors(), shoal.Retry(1)}} {
		var calls atomic.Int32
		out, err := shoal.Map(ctx, p, ints(20), func(_ context.Context, i int) (int, error) {
			calls.Add(1)
			if i == 5 {
				var m map[string]int
				m["x"] = 1 //nolint:staticcheck // the runtime panic is the point
			}
			return i, nil
		}, opts...)
		var pe *shoal.PanicError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a *PanicError", err)
		}
		if !strings.Contains(string(pe.Stack), "map_test.go") {
			t.Errorf("panic stack does not show the panicking function:\n%s", pe.Stack)
		}
		if out[19] != 19 || out[4] != 4 || out[6] != 6 {
			t.Errorf("other items lost: %v", out)
		}
		if want := int32(20 + len(opts) - 1); calls.Load() != want {
			t.Errorf("%d calls, want %d", calls.Load(), want)
		}
	}
	// The pool still works.
	if out, err := shoal.Map(ctx, p, ints(3), double); err != nil || out[2] != 4 {
		t.Fatalf("after panic: %v, %v", out, err)
	}
}

func TestMapRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	flaky := func() func(context.Context, int) (int, error) {
		var mu sync.Mutex
		tries := map[int]int{}
		return func(_ context.Context, i int) (int, error) {
			mu.Lock()
			tries[i]++
			n := tries[i]
			mu.Unlock()
			if n <= 2 { // fails twice, then succeeds
				return 0, errBoom
			}
			return i, nil
		}
	}
	if out, err := shoal.Map(ctx, p, ints(10), flaky(), shoal.Retry(2)); err != nil || out[9] != 9 {
		t.Errorf("Retry(2) = %v, %v; want success", out, err)
	}
	if _, err := shoal.Map(ctx, p, ints(10), flaky(), shoal.Retry(1)); !errors.Is(err, errBoom) {
		t.Errorf("Retry(1) = %v, want boom", err)
	}
}

func TestMapTimeout(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	_, err := shoal.Map(context.Background(), p, ints(4), func(ctx context.Context, i int) (int, error) {
		if i == 1 {
			<-ctx.Done() // ignores nothing: waits for its deadline
			return 0, ctx.Err()
		}
		return i, nil
	}, shoal.Timeout(20*time.Millisecond))
	var te *shoal.TaskError
	if !errors.As(err, &te) || te.Index != 1 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want item 1 DeadlineExceeded", err)
	}
}

func TestMapCancelledByCaller(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	var started, finished atomic.Int32
	var lastDone atomic.Int64
	_, err := shoal.Map(ctx, p, ints(1000), func(ctx context.Context, i int) (int, error) {
		if started.Add(1) == 2 {
			cancel() // as Ctrl-C through signal.NotifyContext would
		}
		<-ctx.Done()
		finished.Add(1)
		return 0, ctx.Err()
	}, shoal.ChunkSize(1), shoal.OnProgress(func(done, _ int) { lastDone.Store(int64(done)) }))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var te *shoal.TaskError
	if errors.As(err, &te) {
		t.Errorf("caller cancellation reported as an item failure: %v", err)
	}
	if s := started.Load(); s > 4 {
		t.Errorf("%d items started after cancel; dispatch did not stop", s)
	}
	if got := lastDone.Load(); got != int64(started.Load()) {
		t.Errorf("progress says %d items done, but %d ran", got, started.Load())
	}
	if started.Load() != finished.Load() {
		t.Errorf("Map returned with items still running: %d started, %d finished", started.Load(), finished.Load())
	}
	if _, err := shoal.Map(ctx, p, ints(3), double); !errors.Is(err, context.Canceled) {
		t.Errorf("Map with a done ctx = %v", err)
	}
}

func TestMapLimit(t *testing.T) {
	t.Parallel()
	p := newPool(t, 8)
	var g gauge
	_, err := shoal.Map(context.Background(), p, ints(200), func(_ context.Context, i int) (int, error) {
		g.enter()
		defer g.exit()
		return spin(20_000), nil
	}, shoal.Limit(3), shoal.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if m := g.max.Load(); m > 3 {
		t.Errorf("Limit(3): %d items ran at once", m)
	}
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 2)
	for _, opt := range []shoal.Option{shoal.ChunkSize(0), shoal.ChunkSize(-1), shoal.Limit(0), shoal.Retry(-1), shoal.Timeout(0)} {
		if _, err := shoal.Map(ctx, p, ints(3), double, opt); !errors.Is(err, shoal.ErrInvalidOption) {
			t.Errorf("Map with a bad option: %v, want ErrInvalidOption", err)
		}
		if err := shoal.ForEach(ctx, p, ints(3), func(context.Context, int) error { return nil }, opt); !errors.Is(err, shoal.ErrInvalidOption) {
			t.Errorf("ForEach with a bad option: %v, want ErrInvalidOption", err)
		}
		for _, err := range shoal.Stream(ctx, p, slices.Values(ints(3)), double, opt) {
			if !errors.Is(err, shoal.ErrInvalidOption) {
				t.Errorf("Stream with a bad option yielded %v, want ErrInvalidOption", err)
			}
		}
	}
	var nilFn func(context.Context, int) (int, error)
	mustPanic(t, "Map(nil fn)", func() { shoal.Map(ctx, p, ints(3), nilFn) })
	mustPanic(t, "ForEach(nil fn)", func() { shoal.ForEach[int](ctx, p, ints(3), nil) })
	mustPanic(t, "Stream(nil fn)", func() { shoal.Stream(ctx, p, slices.Values(ints(3)), nilFn) })
	mustPanic(t, "Stream(nil input)", func() { shoal.Stream[int](ctx, p, nil, double) })
	mustPanic(t, "Submit(nil fn)", func() { shoal.Submit(ctx, p, nilFn, 1) })
	mustPanic(t, "Go(nil fn)", func() { shoal.Go[int](ctx, p, nil) })
	mustPanic(t, "Map(nil executor)", func() { shoal.Map(ctx, nil, ints(3), double) })
	var nilPool *shoal.Pool
	mustPanic(t, "Map(nil *Pool)", func() { shoal.Map(ctx, nilPool, ints(3), double) })
}

func TestOnProgress(t *testing.T) {
	t.Parallel()
	p := newPool(t, 3)
	var mu sync.Mutex
	var seen []int
	_, err := shoal.Map(context.Background(), p, ints(500), double, shoal.OnProgress(func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != 500 {
			t.Errorf("total = %d", total)
		}
		seen = append(seen, done)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(seen) || seen[len(seen)-1] != 500 {
		t.Errorf("progress counts %v: not increasing to 500", seen)
	}
}

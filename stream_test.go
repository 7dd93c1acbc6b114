package shoal_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/shoal-go/shoal"
)

// counting yields 0..n-1 (forever if n < 0) and counts what it has read.
func counting(n int, read *atomic.Int64) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; n < 0 || i < n; i++ {
			read.Add(1)
			if !yield(i) {
				return
			}
		}
	}
}

func TestStreamOrdered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	for _, opts := range [][]shoal.Option{nil, {shoal.ChunkSize(1)}, {shoal.ChunkSize(7)}, {shoal.Limit(2)}} {
		var read atomic.Int64
		i := 0
		for r, err := range shoal.Stream(ctx, p, counting(5000, &read), double, opts...) {
			if err != nil {
				t.Fatal(err)
			}
			if r != 2*i {
				t.Fatalf("result %d = %d, want %d", i, r, 2*i)
			}
			i++
		}
		if i != 5000 {
			t.Fatalf("%d results, want 5000", i)
		}
	}
}

func TestStreamUnordered(t *testing.T) {
	t.Parallel()
	p := newPool(t, 4)
	var got []int
	for r, err := range shoal.Stream(context.Background(), p, slices.Values(ints(1000)), func(_ context.Context, x int) (int, error) {
		spin(100 * (x % 7))
		return x, nil
	}, shoal.Unordered()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	slices.Sort(got)
	if !slices.Equal(got, ints(1000)) {
		t.Errorf("unordered stream lost or repeated items: %d results", len(got))
	}
}

// An endless input runs in bounded memory: read-ahead stays within the
// window, and breaking out stops reading and leaves nothing running.
func TestStreamBoundedReadAheadAndBreak(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const workers = 2
	p := newPool(t, workers)
	var read atomic.Int64
	var running atomic.Int64
	consumed := 0
	for _, err := range shoal.Stream(ctx, p, counting(-1, &read), func(ctx context.Context, x int) (int, error) {
		running.Add(1)
		defer running.Add(-1)
		return x, nil
	}, shoal.ChunkSize(1)) {
		if err != nil {
			t.Fatal(err)
		}
		consumed++
		// At most 2×workers chunks in flight, plus the chunk being filled.
		if ahead := read.Load() - int64(consumed); ahead > 2*workers+1 {
			t.Fatalf("read %d items ahead of the consumer", ahead)
		}
		if consumed == 10_000 {
			break
		}
	}
	if n := running.Load(); n != 0 {
		t.Errorf("%d items still running after break", n)
	}
	// goleak in TestMain checks that no goroutine is left behind.
}

func TestStreamFailFast(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	var results int
	var errs []error
	for _, err := range shoal.Stream(context.Background(), p, slices.Values(ints(100)), func(_ context.Context, x int) (int, error) {
		if x == 42 {
			return 0, errBoom
		}
		return x, nil
	}, shoal.ChunkSize(4)) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		results++
	}
	var te *shoal.TaskError
	if len(errs) != 1 || !errors.As(errs[0], &te) || te.Index != 42 {
		t.Fatalf("errors %v, want one *TaskError for item 42", errs)
	}
	if results != 42 {
		t.Errorf("%d results before the failure, want 42 (input order)", results)
	}
}

func TestStreamCollectErrors(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	var failed []int
	n := 0
	for _, err := range shoal.Stream(context.Background(), p, slices.Values(ints(50)), func(_ context.Context, x int) (int, error) {
		if x%10 == 3 {
			panic("three")
		}
		return x, nil
	}, shoal.CollectErrors()) {
		n++
		var te *shoal.TaskError
		var pe *shoal.PanicError
		if errors.As(err, &te) && errors.As(err, &pe) {
			failed = append(failed, te.Index)
		}
	}
	if n != 50 || !slices.Equal(failed, []int{3, 13, 23, 33, 43}) {
		t.Errorf("%d pairs, failures %v", n, failed)
	}
}

func TestStreamCancelledByCaller(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	var read atomic.Int64
	var last error
	n := 0
	for _, err := range shoal.Stream(ctx, p, counting(-1, &read), func(ctx context.Context, x int) (int, error) {
		if x == 100 {
			cancel()
		}
		return x, ctx.Err()
	}) {
		n++
		last = err
		if n > 1_000_000 {
			t.Fatal("stream did not stop after cancel")
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("last pair's error = %v, want context.Canceled", last)
	}
	for _, err := range shoal.Stream(ctx, p, counting(3, &read), double) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("stream with done ctx yielded %v", err)
		}
	}
}

// A stream that is never ranged over runs nothing.
func TestStreamIsLazy(t *testing.T) {
	t.Parallel()
	p := newPool(t, 2)
	var read atomic.Int64
	_ = shoal.Stream(context.Background(), p, counting(10, &read), double)
	if read.Load() != 0 {
		t.Errorf("read %d items before ranging", read.Load())
	}
}

package shoal_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-go/shoal"
)

// A task of small argument and result types fits the 80-byte size class:
// Submit allocates nothing else.
func TestTaskSize(t *testing.T) {
	if got, limit := shoal.TaskSize, uintptr(80); got > limit {
		t.Errorf("task[int, int] is %d bytes, want at most %d", got, limit)
	}
}

// complete takes no lock: it must still close every Done channel and run
// every callback exactly once, whichever side gets there first.
func TestCompleteOrderedWithWaiters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		steps string // w: OnDone, d: Done, c: complete
	}{
		{"waiters first", "wdc"},
		{"complete first", "cwd"},
		{"between", "wcd"},
		{"twice", "wcwdcd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, complete := shoal.NewFuture[int]()
			var ran int
			var chans []<-chan struct{}
			first := true
			for _, s := range tc.steps {
				switch s {
				case 'w':
					shoal.OnDone(f, func() { ran++ })
				case 'd':
					chans = append(chans, f.Done())
				case 'c':
					v := 2
					if first {
						v, first = 1, false
					}
					complete(v, nil)
				}
			}
			if want := countRune(tc.steps, 'w'); ran != want {
				t.Errorf("callbacks ran %d times, want %d", ran, want)
			}
			for i, ch := range chans {
				select {
				case <-ch:
				default:
					t.Errorf("Done channel %d not closed", i)
				}
			}
			if v, err := f.Get(context.Background()); v != 1 || err != nil {
				t.Errorf("Get = %d, %v; want the first completion, 1", v, err)
			}
		})
	}
}

func countRune(s string, r rune) (n int) {
	for _, c := range s {
		if c == r {
			n++
		}
	}
	return n
}

// Waiters racing two completions: exactly one result wins, every callback
// runs once, and every Done channel closes.
func TestCompleteRacesWaiters(t *testing.T) {
	t.Parallel()
	errLost := errors.New("second completion")
	for range 2000 {
		f, complete := shoal.NewFuture[int]()
		const waiters = 4
		var ran [waiters]atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(waiters + 2)
		for i := range waiters {
			go func() {
				defer wg.Done()
				<-start
				if i%2 == 0 {
					shoal.OnDone(f, func() { ran[i].Add(1) })
					return
				}
				<-f.Done()
				ran[i].Add(1)
			}()
		}
		for _, r := range []struct {
			v   int
			err error
		}{{1, nil}, {0, errLost}} {
			go func() {
				defer wg.Done()
				<-start
				complete(r.v, r.err)
				if !f.Ready() {
					t.Error("not Ready after complete returned")
				}
			}()
		}
		close(start)
		wg.Wait()
		for i := range ran {
			if n := ran[i].Load(); n != 1 {
				t.Fatalf("waiter %d woke %d times, want 1", i, n)
			}
		}
		v, err := f.Get(context.Background())
		won1, won2 := v == 1 && err == nil, v == 0 && err == errLost
		if !won1 && !won2 {
			t.Fatalf("Get = %d, %v; want one of the two completions", v, err)
		}
	}
}

// Submit costs one allocation, the task with its future (and a share of
// the shared queue's segments); Get of a done future costs none.
func TestSubmitGetAllocatesOnce(t *testing.T) {
	ctx := context.Background()
	p := newPool(t, 2)
	inc := func(_ context.Context, x int) (int, error) { return x + 1, nil }
	// Both slots are held while the tasks are submitted, so that no worker
	// goes idle and is started again (a Worker and a goroutine each) while
	// allocations are counted.
	started, release := make(chan struct{}), make(chan struct{})
	for range p.Size() {
		shoal.Go(ctx, p, func(context.Context) (int, error) {
			started <- struct{}{}
			<-release
			return 0, nil
		})
	}
	for range p.Size() {
		<-started
	}
	const n = 10_000
	fs := make([]*shoal.Future[int], n)
	mallocs := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.Mallocs
	}
	before := mallocs()
	for i := range fs {
		fs[i] = shoal.Submit(ctx, p, inc, i)
	}
	submitted := mallocs()
	close(release)
	for _, f := range fs {
		<-f.Done() // may allocate: the waiters of a future not yet done
	}
	waited := mallocs()
	for i, f := range fs {
		if v, err := f.Get(ctx); v != i+1 || err != nil {
			t.Fatalf("Get %d = %d, %v", i, v, err)
		}
	}
	got := mallocs()
	if per := float64(submitted-before) / n; per > 1.05 {
		t.Errorf("Submit: %.2f allocations per task, want 1", per)
	}
	// (The counts are the process's: allow for a stray allocation or two
	// elsewhere, such as a worker's exit.)
	if per := float64(got-waited) / n; per > 0.01 {
		t.Errorf("Get of done futures: %.3f allocations per task, want 0", per)
	}
}

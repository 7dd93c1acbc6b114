package shoal

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/shoal-go/shoal/internal/sched"
)

// Future is the pending result of one task, from Go or Submit. All its
// methods are safe for concurrent use. The zero value is not usable.
//
// A task that waits on a Future (Get, Wait, Gather, AsCompleted) from inside
// a pool task does not hold its slot while it waits: if the awaited task is
// still queued it runs it right there, and otherwise it lends its slot to
// other work until the result is ready.
type Future[T any] struct {
	state atomic.Int32           // stateQueued … stateDone; the first two are the task's
	pool  uint32                 // the ID of the local pool whose task completes it, if any
	x     atomic.Pointer[extras] // made on first use: see extras
	val   T
	task  futureTask // the task that completes it
}

// extras are what a future makes for those waiting on it, for its error,
// and what its task makes for a context that is cancelled or asked for
// Done: most futures succeed and are done before anyone waits, so never
// need them, and one pointer for all three keeps a task small.
type extras struct {
	w   waiters
	c   taskCtx
	err error // the future's error, written before its state is done
}

// waiters are the channel and callbacks of those waiting on a future.
//
// complete does not lock: it publishes the result and stores stateDone,
// then loads x; a waiter stores x, adds itself under mu, then loads the
// state. The four are sequentially consistent atomics, so at least one
// side sees the other, and fire, idempotent under mu, runs once.
type waiters struct {
	mu    sync.Mutex
	fired bool
	ch    chan struct{}
	cbs   []func() // run once, on completion
}

// futureTask is the task behind a future, as the future needs it.
type futureTask interface {
	// runInline runs the task on the calling goroutine, which holds w's
	// slot, if the task has not started yet. It reports whether it ran.
	runInline(w *sched.Worker) bool
	// cancel stops the task from starting, or cancels its context.
	cancel()
}

// A future's state. The task behind it moves it from queued to running
// (or, cancelled first, to stopped); complete claims it by moving it to
// setting, writes the result, and sets done.
const (
	stateQueued int32 = iota
	stateRunning
	stateStopped
	stateSetting
	stateDone
)

func (f *Future[T]) ready() bool { return f.state.Load() == stateDone }

// complete sets the result once; later calls do nothing but wait for the
// first to finish, so that the future is done when complete returns.
func (f *Future[T]) complete(v T, err error) {
	for {
		s := f.state.Load()
		if s >= stateSetting {
			for f.state.Load() != stateDone {
				runtime.Gosched() // the winner is between two stores
			}
			return
		}
		if f.state.CompareAndSwap(s, stateSetting) {
			break
		}
	}
	f.val = v
	if err != nil {
		f.extras().err = err
	}
	f.state.Store(stateDone)
	if x := f.x.Load(); x != nil {
		x.w.fire()
	}
}

// failure returns the error of a done future.
func (f *Future[T]) failure() error {
	if x := f.x.Load(); x != nil {
		return x.err
	}
	return nil
}

// extras returns f's extras, making them on first use.
func (f *Future[T]) extras() *extras {
	if x := f.x.Load(); x != nil {
		return x
	}
	f.x.CompareAndSwap(nil, new(extras))
	return f.x.Load()
}

// waiters returns f's waiters, making them on first use.
func (f *Future[T]) waiters() *waiters { return &f.extras().w }

// fire closes the channel and runs the callbacks, the first time.
func (w *waiters) fire() {
	w.mu.Lock()
	if w.fired {
		w.mu.Unlock()
		return
	}
	w.fired = true
	ch, cbs := w.ch, w.cbs
	w.cbs = nil
	w.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	for _, cb := range cbs {
		cb()
	}
}

// onDone calls cb once f is done: now, if it already is.
func (f *Future[T]) onDone(cb func()) {
	if f.ready() {
		cb()
		return
	}
	w := f.waiters()
	w.mu.Lock()
	if w.fired {
		w.mu.Unlock()
		cb()
		return
	}
	w.cbs = append(w.cbs, cb)
	w.mu.Unlock()
	if f.ready() { // complete may have looked for waiters before we came
		w.fire()
	}
}

// Ready reports whether the result is available. It never blocks.
func (f *Future[T]) Ready() bool {
	if f.ready() {
		return true
	}
	f.demand()
	return false
}

// Done returns a channel that is closed when the result is available, for
// use in select statements. The first call allocates the channel.
func (f *Future[T]) Done() <-chan struct{} {
	w := f.waiters()
	w.mu.Lock()
	if w.ch == nil {
		w.ch = make(chan struct{})
		if w.fired {
			close(w.ch)
		}
	}
	ch := w.ch
	w.mu.Unlock()
	if f.ready() {
		w.fire() // complete may have looked for waiters before we came
	} else {
		f.demand()
	}
	return ch
}

// Err returns nil while the task is pending, and the task's error once it
// is done (nil on success), like context.Context.Err.
func (f *Future[T]) Err() error {
	if !f.ready() {
		f.demand()
		return nil
	}
	return f.failure()
}

// Get waits for the task and returns its result and error. A task that
// panicked returns a *PanicError. If ctx is done first, Get returns ctx's
// error and the task goes on: use Cancel to stop it.
func (f *Future[T]) Get(ctx context.Context) (T, error) {
	if err := f.Wait(ctx); err != nil {
		var zero T
		return zero, err
	}
	return f.val, f.failure()
}

// Wait waits for the task like Get and returns only the error: the task's,
// or ctx's if ctx is done first.
func (f *Future[T]) Wait(ctx context.Context) error {
	if f.ready() {
		return f.failure()
	}
	w := workerFrom(ctx)
	if w != nil && f.task != nil && f.task.runInline(w) && f.ready() {
		return f.failure()
	}
	if err := waitFor(ctx, w, f.Done()); err != nil { // Done demands a kept result
		return err
	}
	return f.failure()
}

// Cancel cancels the task: a task that has not started never runs, a
// running one sees its context cancelled. Either way the future completes
// at once with context.Canceled, unless it was already done, in which case
// Cancel does nothing.
func (f *Future[T]) Cancel() {
	if f.ready() {
		return
	}
	if f.task != nil {
		f.task.cancel()
	}
	var zero T
	f.complete(zero, context.Canceled)
}

// Gather waits for every future and returns their results in order. It
// fails fast: as soon as any future fails, it returns a *TaskError naming
// that future's index (the others go on; cancel them if they should not).
// If ctx is done first it returns ctx's error.
func Gather[T any](ctx context.Context, fs []*Future[T]) ([]T, error) {
	for i := range completions(ctx, fs) {
		if i < 0 {
			return nil, ctx.Err()
		}
		if err := fs[i].failure(); err != nil {
			return nil, &TaskError{Index: i, Err: err}
		}
	}
	out := make([]T, len(fs))
	for i, f := range fs {
		out[i] = f.val
	}
	return out, nil
}

// AsCompleted yields the futures in the order they complete. It stops
// early when ctx is done (check ctx.Err() after the loop). Breaking out of
// the loop is safe and leaves the remaining futures running.
func AsCompleted[T any](ctx context.Context, fs []*Future[T]) iter.Seq[*Future[T]] {
	return func(yield func(*Future[T]) bool) {
		for i := range completions(ctx, fs) {
			if i < 0 || !yield(fs[i]) {
				return
			}
		}
	}
}

// completions yields the indices of fs as the futures complete, then -1 if
// ctx ends the wait first. Futures that are already done come first, in
// order, without allocating.
func completions[T any](ctx context.Context, fs []*Future[T]) iter.Seq[int] {
	return func(yield func(int) bool) {
		var pending []int
		for i, f := range fs {
			if f == nil {
				panic("shoal: nil *Future")
			}
			if f.ready() {
				if !yield(i) {
					return
				}
			} else {
				pending = append(pending, i)
			}
		}
		if len(pending) == 0 {
			return
		}
		w := workerFrom(ctx)
		// Queued tasks of our own pool run here first, so a task that
		// gathers its own sub-tasks needs no other goroutine.
		ch := make(chan int, len(pending))
		for _, i := range pending {
			if f := fs[i]; w != nil && f.task != nil {
				f.task.runInline(w)
			}
		}
		for _, i := range pending {
			fs[i].onDone(func() { ch <- i })
			fs[i].demand()
		}
		for range pending {
			var i int
			select {
			case i = <-ch:
			default:
				resume := lend(ctx, w)
				select {
				case i = <-ch:
				case <-ctx.Done():
					i = -1
				}
				if resume != nil {
					resume()
				}
			}
			if !yield(i) || i < 0 {
				return
			}
		}
	}
}

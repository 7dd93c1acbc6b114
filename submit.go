package shoal

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-go/shoal/internal/sched"
)

// Go runs fn as a task on ex and returns its future. It takes a closure, so
// it runs on local pools only; on a cluster executor use Submit with a
// registered function. Go panics if fn is nil or ex is nil.
//
// If ctx is already done, the future fails with ctx's error without
// running fn. Otherwise fn gets a context that is cancelled when ctx is,
// or when the future is cancelled.
func Go[R any](ctx context.Context, ex Executor, fn func(context.Context) (R, error)) *Future[R] {
	if fn == nil {
		panic("shoal: Go with nil function")
	}
	if _, ok := backendOf(ex); ok {
		f := new(Future[R])
		var zero R
		f.complete(zero, errClosureOnCluster)
		return f
	}
	return Submit(ctx, ex, func(ctx context.Context, _ struct{}) (R, error) { return fn(ctx) }, struct{}{})
}

// Submit runs fn(ctx, arg) as a task on ex and returns its future at once.
// On a cluster, fn must be registered (see Register). It panics if fn is
// nil or ex is nil; submitting to a closed pool returns a future that has
// failed with ErrClosed.
//
// A submitted task costs one allocation and a queue operation; for many
// small items, Map is far cheaper than a future per item.
func Submit[T, R any](ctx context.Context, ex Executor, fn func(context.Context, T) (R, error), arg T) *Future[R] {
	if fn == nil {
		panic("shoal: Submit with nil function")
	}
	p, ok := ex.(*Pool) // first: cheaper than asking for a backend
	if !ok || p == nil {
		if b, ok := backendOf(ex); ok {
			return submitRemote(ctx, b, fn, arg)
		}
		p = local(ex)
	}
	t := &task[T, R]{fn: fn, arg: arg, parent: ctx}
	t.fut.pool, t.fut.task = p.s.ID(), t
	if err := ctx.Err(); err != nil {
		t.fut.complete(t.zero(), err)
	} else if err := p.submit(ctx, t); err != nil {
		t.fut.complete(t.zero(), err)
	}
	return &t.fut
}

// errGoexit is the error of a task that called runtime.Goexit (as
// testing.T.FailNow does) instead of returning.
var errGoexit = errors.New("shoal: task called runtime.Goexit")

// task is a submitted function call: future, argument and the context fn
// runs with, in one allocation. A task is the context.Context of its own
// function: a cancellable context per task would cost an allocation and a
// lock on the parent, so a task makes its Done channel only when someone
// asks for it, and Future.Cancel cancels it directly. What only a
// failed or cancelled task, or a caller of Done, needs is in the future's extras,
// which keeps a task of small T and R in the 80-byte size class: the
// task's pool is its worker's, and the future names it by a 4-byte ID.
type task[T, R any] struct {
	fut    Future[R]
	parent context.Context
	w      *sched.Worker // set by the goroutine that runs the task; its pool's Owner is the task's Pool
	fn     func(context.Context, T) (R, error)
	arg    T
}

// taskCtx is the part of a task's context that few tasks use, in the
// future's extras.
type taskCtx struct {
	err  atomic.Pointer[error] // set once by cancelCtx
	mu   sync.Mutex
	done chan struct{} // made by Done
	stop func() bool   // unregisters the AfterFunc on the parent
}

func (t *task[T, R]) zero() (z R) { return z }

// Run implements sched.Task.
func (t *task[T, R]) Run(w *sched.Worker) {
	if t.fut.state.CompareAndSwap(stateQueued, stateRunning) {
		t.run(w)
	}
}

func (t *task[T, R]) runInline(w *sched.Worker) bool {
	if w.Pool().ID() != t.fut.pool || w.Slot() == nil || !t.fut.state.CompareAndSwap(stateQueued, stateRunning) {
		return false
	}
	t.run(w)
	return true
}

func (t *task[T, R]) run(w *sched.Worker) {
	t.w = w
	var (
		r        R
		err      error
		returned bool
	)
	defer func() {
		if !returned && err == nil {
			err = errGoexit
		}
		t.finish(r, err)
	}()
	if err = t.Err(); err != nil {
		returned = true
		return
	}
	r, err = call(t, t.fn, t.arg)
	returned = true
}

// finish completes the future and drops what the task no longer needs.
func (t *task[T, R]) finish(r R, err error) {
	t.fut.complete(r, err)
	t.releaseCtx()
	var zero T
	t.arg = zero // let the garbage collector have it
}

func (t *task[T, R]) cancel() {
	if !t.fut.state.CompareAndSwap(stateQueued, stateStopped) {
		t.cancelCtx(context.Canceled)
	}
}

// call runs fn, turning a panic into a *PanicError.
func call[T, R any](ctx context.Context, fn func(context.Context, T) (R, error), arg T) (r R, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = newPanicError(v)
		}
	}()
	return fn(ctx, arg)
}

// Deadline implements context.Context.
func (t *task[T, R]) Deadline() (time.Time, bool) { return t.parent.Deadline() }

// ctx returns t's taskCtx, making it on first use.
func (t *task[T, R]) ctx() *taskCtx { return &t.fut.extras().c }

// Done implements context.Context.
func (t *task[T, R]) Done() <-chan struct{} {
	c := t.ctx()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		switch {
		case c.err.Load() != nil:
			close(c.done)
		case t.parent.Done() != nil && t.fut.state.Load() < stateStopped:
			// releaseCtx, after the task, sees c: the extras were
			// stored before this load of the state, and complete
			// stores the state before releaseCtx loads them.
			c.stop = context.AfterFunc(t.parent, func() { t.cancelCtx(t.parent.Err()) })
		}
	}
	return c.done
}

// Err implements context.Context.
func (t *task[T, R]) Err() error {
	if x := t.fut.x.Load(); x != nil {
		if err := x.c.err.Load(); err != nil {
			return *err
		}
	}
	return t.parent.Err()
}

// Value implements context.Context.
func (t *task[T, R]) Value(key any) any {
	switch key {
	case executorKey{}:
		return t.w.Pool().Owner
	case workerKey{}:
		return t.w
	}
	return t.parent.Value(key)
}

func (t *task[T, R]) cancelCtx(err error) {
	c := t.ctx()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err.Load() != nil {
		return
	}
	c.err.Store(&err)
	if c.done != nil {
		close(c.done)
	}
	c.release()
}

// releaseCtx drops the registration on the parent, if Done made one. It
// runs after complete stored the state as done.
func (t *task[T, R]) releaseCtx() {
	x := t.fut.x.Load()
	if x == nil {
		return
	}
	c := &x.c
	c.mu.Lock()
	c.release()
	c.mu.Unlock()
}

func (c *taskCtx) release() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

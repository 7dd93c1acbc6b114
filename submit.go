package shoal

import (
	"context"
	"errors"
	"sync/atomic"

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
	p := local(ex)
	t := &task[T, R]{fn: fn, arg: arg}
	t.ctx.parent, t.ctx.pool = ctx, p
	t.fut.task = t
	if err := ctx.Err(); err != nil {
		t.state.Store(taskDone)
		t.fut.complete(t.zero(), err)
	} else if err := p.submit(ctx, t); err != nil {
		t.state.Store(taskDone)
		t.fut.complete(t.zero(), err)
	}
	return &t.fut
}

const (
	taskQueued int32 = iota
	taskRunning
	taskDone
)

// errGoexit is the error of a task that called runtime.Goexit (as
// testing.T.FailNow does) instead of returning.
var errGoexit = errors.New("shoal: task called runtime.Goexit")

// task is a submitted function call: future, context and argument in one
// allocation.
type task[T, R any] struct {
	fut   Future[R]
	ctx   taskCtx
	fn    func(context.Context, T) (R, error)
	arg   T
	state atomic.Int32
}

func (t *task[T, R]) zero() (z R) { return z }

// Run implements sched.Task.
func (t *task[T, R]) Run(w *sched.Worker) {
	if t.state.CompareAndSwap(taskQueued, taskRunning) {
		t.run(w)
	}
}

func (t *task[T, R]) runInline(w *sched.Worker) bool {
	if w.Pool() != t.ctx.pool.s || w.Slot() == nil || !t.state.CompareAndSwap(taskQueued, taskRunning) {
		return false
	}
	t.run(w)
	return true
}

func (t *task[T, R]) run(w *sched.Worker) {
	t.ctx.w = w
	var (
		r        R
		err      error
		returned bool
	)
	defer func() {
		if !returned && err == nil {
			err = errGoexit
		}
		t.state.Store(taskDone)
		t.ctx.finish()
		t.fut.complete(r, err)
		var zero T
		t.fn, t.arg = nil, zero // let the garbage collector have them
	}()
	if err = t.ctx.Err(); err != nil {
		returned = true
		return
	}
	r, err = call(&t.ctx, t.fn, t.arg)
	returned = true
}

func (t *task[T, R]) cancel() {
	if !t.state.CompareAndSwap(taskQueued, taskDone) {
		t.ctx.cancel(context.Canceled)
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

package shoal

import (
	"context"

	"github.com/shoal-go/shoal/internal/sched"
	"github.com/shoal-go/shoal/progress"
)

// Context keys. A task's context answers them so that nested calls find
// the executor (From), the slot to lend while waiting, and the progress bar
// to nest under.
type (
	executorKey struct{}
	workerKey   struct{}
	barKey      struct{}
)

// workerFrom returns the scheduler handle of the pool task running with
// ctx, or nil outside a task.
func workerFrom(ctx context.Context) *sched.Worker {
	w, _ := ctx.Value(workerKey{}).(*sched.Worker)
	return w
}

func barFrom(ctx context.Context) *progress.Bar {
	b, _ := ctx.Value(barKey{}).(*progress.Bar)
	return b
}

// await blocks until done is ready (closed, or a value sent on it). The
// task running with ctx lends its slot while it waits.
func await(ctx context.Context, w *sched.Worker, done <-chan struct{}) {
	wait(ctx, w, done, nil)
}

// waitFor is await that gives up when ctx is done, returning ctx.Err().
func waitFor(ctx context.Context, w *sched.Worker, done <-chan struct{}) error {
	if !wait(ctx, w, done, ctx.Done()) {
		return ctx.Err()
	}
	return nil
}

// wait blocks until done is ready, or stop (nil: never) is closed, lending
// the slot meanwhile. It reports whether done was ready.
func wait(ctx context.Context, w *sched.Worker, done, stop <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
	}
	if resume := lend(ctx, w); resume != nil {
		defer resume()
	}
	select {
	case <-done:
		return true
	case <-stop:
		return false
	}
}

// runCtx is the context items of a Map or Stream run with: the call's
// cancellable context plus the runner's pool, worker and bar.
type runCtx struct {
	context.Context
	pool *Pool
	w    *sched.Worker
	bar  *progress.Bar
}

func (c *runCtx) Value(key any) any {
	switch key {
	case executorKey{}:
		return c.pool
	case workerKey{}:
		return c.w
	case barKey{}:
		if c.bar != nil {
			return c.bar
		}
	}
	return c.Context.Value(key)
}

package shoal

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

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

// waitFor blocks until done is ready (closed, or a value sent on it), or ctx
// is done. A task of a pool lends its slot while it waits. A nil ctx never
// ends the wait early.
func waitFor(ctx context.Context, w *sched.Worker, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	default:
	}
	if w.Block() {
		defer w.Resume()
	}
	var cancelled <-chan struct{}
	if ctx != nil {
		cancelled = ctx.Done()
	}
	select {
	case <-done:
		return nil
	case <-cancelled:
		return ctx.Err()
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

// taskCtx is the context of a submitted task. Creating a cancellable
// context per task would cost an allocation and a lock on the parent, so
// taskCtx makes its Done channel only when someone asks for it, and
// Future.Cancel cancels it directly.
type taskCtx struct {
	parent context.Context
	pool   *Pool
	w      *sched.Worker // set by the goroutine that runs the task

	err  atomic.Pointer[error] // set once by cancel
	mu   sync.Mutex
	done chan struct{}
	stop func() bool // unregisters the AfterFunc on parent
}

func (c *taskCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

func (c *taskCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err.Load() != nil {
			close(c.done)
		} else if c.parent.Done() != nil {
			c.stop = context.AfterFunc(c.parent, func() { c.cancel(c.parent.Err()) })
		}
	}
	return c.done
}

func (c *taskCtx) Err() error {
	if err := c.err.Load(); err != nil {
		return *err
	}
	return c.parent.Err()
}

func (c *taskCtx) Value(key any) any {
	switch key {
	case executorKey{}:
		return c.pool
	case workerKey{}:
		return c.w
	}
	return c.parent.Value(key)
}

func (c *taskCtx) cancel(err error) {
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

// release drops the registration on the parent, if Done made one.
// Called with c.mu held.
func (c *taskCtx) release() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

func (c *taskCtx) finish() {
	c.mu.Lock()
	c.release()
	c.mu.Unlock()
}

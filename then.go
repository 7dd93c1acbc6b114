package shoal

import (
	"context"
	"sync"

	"github.com/shoal-go/shoal/internal/sched"
)

// Then runs fn on f's value as a task on ex once f is done, and returns
// fn's future at once: a task graph is built without waiting, and each
// task starts as soon as its inputs are ready. On a cluster, fn must be
// registered (see Register), and f's value goes from the worker that made
// it to the worker that consumes it without being decoded by this process
// (a large value stays in the cluster's object store; see package cluster).
//
// If f fails, the returned future fails with an *InputError naming input 0
// and unwrapping to f's error, and fn never runs. If ctx is done before fn
// starts, the future fails with ctx's error. Cancelling the returned future
// stops fn but not f. Then panics if fn, f or ex is nil.
func Then[T, R any](ctx context.Context, ex Executor, f *Future[T], fn func(context.Context, T) (R, error)) *Future[R] {
	if f == nil {
		panic("shoal: Then with nil *Future")
	}
	if fn == nil {
		panic("shoal: Then with nil function")
	}
	return after(ctx, ex, []*Future[T]{f}, false, fn, func(vs []T) T { return vs[0] })
}

// ThenAll runs fn on the values of all of fs, in order, as a task on ex
// once every one of them is done, and returns fn's future at once: the
// combinator for a task with two or more inputs (a tree reduction's inner
// node, a join). With no inputs, fn runs at once on an empty slice.
//
// The first input to fail fails the returned future with an *InputError
// naming that input's index, without waiting for the others; fn never
// runs. Otherwise ThenAll behaves like Then.
func ThenAll[T, R any](ctx context.Context, ex Executor, fs []*Future[T], fn func(context.Context, []T) (R, error)) *Future[R] {
	for _, f := range fs {
		if f == nil {
			panic("shoal: ThenAll with nil *Future")
		}
	}
	if fn == nil {
		panic("shoal: ThenAll with nil function")
	}
	return after(ctx, ex, fs, true, fn, func(vs []T) []T { return vs })
}

// after is Then and ThenAll: it submits fn(ctx, arg(values of in)) on ex
// once every input is done. all says fn takes the inputs as one slice (for
// the cluster's by-reference arguments).
func after[T, A, R any](ctx context.Context, ex Executor, in []*Future[T], all bool, fn func(context.Context, A) (R, error), arg func([]T) A) *Future[R] {
	if ex == nil {
		panic("shoal: nil Executor")
	}
	b, remote := backendOf(ex)
	out := new(Future[R])
	var (
		rt    *remoteTask // the task behind out, on a cluster
		d     *dependent  // the task behind out, on a pool
		start func()
	)
	if remote {
		// Inputs on a cluster end on its client's message handlers, which
		// must not wait on a publish: the call is sent from a goroutine.
		rt = new(remoteTask)
		out.task = rt
		start = func() { go submitRemoteAfter(ctx, b, in, all, fn, out, rt) }
	} else {
		d = &dependent{inputs: make([]futureTask, len(in))}
		for i, f := range in {
			d.inputs[i] = f.task
		}
		out.task = d
		start = func() {
			vs := make([]T, len(in))
			for i, f := range in {
				vs[i] = f.val
			}
			inner := Submit(ctx, ex, fn, arg(vs))
			if d.started(inner.task) {
				inner.onDone(func() { out.complete(inner.val, inner.failure()) })
			}
		}
	}
	var zero R
	if err := ctx.Err(); err != nil {
		out.complete(zero, err)
		return out
	}

	// The dependent starts when the last input has ended, or fails when
	// the first one fails, or when ctx is done first.
	var (
		mu      sync.Mutex
		pending = len(in)
		settled bool
	)
	settle := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if settled {
			return false
		}
		settled = true
		return true
	}
	unwatch := func() bool { return true }
	if ctx.Done() != nil {
		unwatch = context.AfterFunc(ctx, func() {
			if settle() {
				out.task.cancel()
				out.complete(zero, ctx.Err())
			}
		})
		if d != nil {
			d.mu.Lock()
			d.unwatch = unwatch
			d.mu.Unlock()
		}
	}
	ended := func(i int, f *Future[T]) {
		// A kept cluster result is not done here, and has not failed.
		if f.ready() && f.failure() != nil {
			if settle() {
				unwatch()
				out.complete(zero, &InputError{Input: i, Err: f.failure()})
			}
			return
		}
		mu.Lock()
		pending--
		last := pending == 0
		mu.Unlock()
		if last && settle() {
			unwatch()
			if !out.ready() { // not cancelled meanwhile
				start()
			}
		}
	}
	if len(in) == 0 && settle() {
		unwatch()
		start()
	}
	for i, f := range in {
		if remote {
			whenEnded(f, func() { ended(i, f) })
			continue
		}
		f.onDone(func() { ended(i, f) })
		f.demand() // a cluster result kept there comes here
	}
	return out
}

// dependent is the task behind a future made by Then or ThenAll: until the
// inputs are done, waiting on it runs them (when queued on the waiter's
// pool); after that it stands for the submitted task.
type dependent struct {
	mu       sync.Mutex
	inputs   []futureTask
	inner    futureTask  // the submitted task, once started
	unwatch  func() bool // stops watching the caller's ctx
	canceled bool
}

// started records the submitted task, cancelling it if the dependent was
// cancelled meanwhile. It reports whether the dependent goes on.
func (d *dependent) started(t futureTask) bool {
	d.mu.Lock()
	d.inner, d.inputs = t, nil
	canceled := d.canceled
	d.mu.Unlock()
	if canceled && t != nil {
		t.cancel()
	}
	return !canceled
}

func (d *dependent) runInline(w *sched.Worker) bool {
	d.mu.Lock()
	inner, inputs := d.inner, d.inputs
	d.mu.Unlock()
	if inner == nil {
		for _, t := range inputs {
			if t != nil {
				t.runInline(w)
			}
		}
		// The last input's completion may have started the dependent.
		d.mu.Lock()
		inner = d.inner
		d.mu.Unlock()
	}
	return inner != nil && inner.runInline(w)
}

func (d *dependent) cancel() {
	d.mu.Lock()
	d.canceled = true
	inner, unwatch := d.inner, d.unwatch
	d.mu.Unlock()
	if inner != nil {
		inner.cancel()
	}
	if unwatch != nil {
		unwatch()
	}
}

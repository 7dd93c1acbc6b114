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
	d := &dependent{}
	out := &Future[R]{task: d}
	var zero R
	if err := ctx.Err(); err != nil {
		out.complete(zero, err)
		return out
	}
	d.inputs = make([]futureTask, len(in))
	for i, f := range in {
		d.inputs[i] = f.task
	}
	b, remote := backendOf(ex)
	start := func() {
		if remote {
			if inner, ok := submitRemoteAfter(ctx, b, in, all, fn, out); ok {
				d.started(inner)
				return
			}
		}
		vs := make([]T, len(in))
		for i, f := range in {
			vs[i] = f.val
		}
		inner := Submit(ctx, ex, fn, arg(vs))
		if d.started(inner.task) {
			inner.onDone(func() { out.complete(inner.val, inner.err) })
		}
	}

	// The dependent starts when the last input is done, or fails when the
	// first one fails, or when ctx is done first.
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
	stopWatch := func() bool { return true }
	if ctx.Done() != nil {
		stopWatch = context.AfterFunc(ctx, func() {
			if settle() {
				d.cancel()
				out.complete(zero, ctx.Err())
			}
		})
		d.mu.Lock()
		d.unwatch = stopWatch
		d.mu.Unlock()
	}
	if len(in) == 0 {
		if settle() {
			stopWatch()
			start()
		}
		return out
	}
	for i, f := range in {
		f.onDone(func() {
			if err := f.err; err != nil {
				if settle() {
					stopWatch()
					out.complete(zero, &InputError{Input: i, Err: err})
				}
				return
			}
			mu.Lock()
			pending--
			last := pending == 0
			mu.Unlock()
			if last && settle() {
				stopWatch()
				switch {
				case out.ready(): // cancelled meanwhile
				case remote:
					// Inputs of a cluster complete on its client's
					// message handlers, which must not wait on a publish.
					go start()
				default:
					start()
				}
			}
		})
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

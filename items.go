package shoal

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/shoal-go/shoal/internal/sched"
	"github.com/shoal-go/shoal/progress"
)

// items holds what Map, ForEach and Stream share: the user's function and
// options, the call's cancellable context, error bookkeeping and progress.
type items[T, R any] struct {
	pool   *Pool
	fn     func(context.Context, T) (R, error)
	cfg    config
	parent context.Context
	ctx    context.Context // cancelled on the first failure (fail-fast) or with parent
	cancel context.CancelCauseFunc

	// stop is set once the call has stopped, so that items check an atomic
	// flag nobody writes while they run, not the context (whose Err is an
	// atomic load plus an interface call per item). fail sets it at once;
	// an AfterFunc sets it when the caller's context is done, and the
	// context is checked directly between chunks.
	stop   atomic.Bool
	stopAf func() bool

	mu     sync.Mutex
	first  *TaskError   // fail-fast: the first failure
	errs   []*TaskError // CollectErrors: every failure
	total  int          // -1 while unknown
	done   int          // items done, for OnProgress
	bar    *progress.Bar
	failed atomic.Bool
}

func (it *items[T, R]) init(ctx context.Context, p *Pool, fn func(context.Context, T) (R, error), cfg config, total int) {
	it.pool, it.fn, it.cfg, it.parent, it.total = p, fn, cfg, ctx, total
	it.ctx, it.cancel = context.WithCancelCause(ctx)
	it.stopAf = context.AfterFunc(it.ctx, func() { it.stop.Store(true) })
	if cfg.label != "" {
		it.bar = progress.Start(cfg.label, total, barFrom(ctx))
	}
}

// stopped reports whether the call has stopped: a fail-fast failure, or
// the caller's ctx. No new chunk starts once it has.
func (it *items[T, R]) stopped() bool {
	if it.stop.Load() {
		return true
	}
	if it.ctx.Err() != nil {
		it.stop.Store(true)
		return true
	}
	return false
}

// close releases the call's context and bar.
func (it *items[T, R]) close() {
	it.stopAf()
	it.cancel(context.Canceled)
	if it.bar != nil {
		it.bar.Finish()
	}
}

// runner returns the context the items of one runner goroutine see.
func (it *items[T, R]) runner(w *sched.Worker) *runCtx {
	return &runCtx{Context: it.ctx, pool: it.pool, w: w, bar: it.bar}
}

// slow reports whether items need the per-item path (retries, timeouts).
func (it *items[T, R]) slow() bool { return it.cfg.retries > 0 || it.cfg.timeout > 0 }

// call runs item i with retries and a timeout, as configured.
func (it *items[T, R]) call(ctx context.Context, v T) (r R, err error) {
	for a := 0; ; a++ {
		r, err = it.attempt(ctx, v)
		if err == nil || a >= it.cfg.retries || it.stop.Load() {
			return r, err
		}
	}
}

func (it *items[T, R]) attempt(ctx context.Context, v T) (R, error) {
	if it.cfg.timeout <= 0 {
		return call(ctx, it.fn, v)
	}
	tctx, cancel := context.WithTimeout(ctx, it.cfg.timeout)
	defer cancel()
	r, err := call(tctx, it.fn, v)
	if err == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		var zero R
		return zero, context.DeadlineExceeded
	}
	return r, err
}

// runSlice runs fn on in[0], in[1], ... into out, stopping early when the
// call stops; base is in[0]'s index in the whole input. A failed item's
// error goes to errs[i] when errs is not nil, and to fail. It returns how
// many items ran (failed or not): the items from there on did not start.
//
// Without retries or timeouts, one deferred recover covers the whole
// slice, so an item costs an indirect call and an atomic load.
func (it *items[T, R]) runSlice(ctx context.Context, in []T, out []R, base int, errs []error) int {
	if it.slow() {
		for i, v := range in {
			if it.stop.Load() {
				return i
			}
			r, err := it.call(ctx, v)
			if err != nil {
				it.failed1(i, base, err, errs)
				continue
			}
			out[i] = r
		}
		return len(in)
	}
	i := 0
	for i < len(in) {
		i = it.runFast(ctx, in, out, base, errs, i)
		if i < 0 {
			return -i - 1
		}
	}
	return len(in)
}

// runFast runs in[from:] under one recover. It returns the index to go on
// from after a panic, len(in) when done, or -(i+1) when it stopped before
// item i because the call did.
func (it *items[T, R]) runFast(ctx context.Context, in []T, out []R, base int, errs []error, from int) (next int) {
	i := from
	defer func() {
		if v := recover(); v != nil {
			it.failed1(i, base, newPanicError(v), errs)
			next = i + 1
		}
	}()
	for ; i < len(in); i++ {
		if it.stop.Load() {
			return -i - 1
		}
		r, err := it.fn(ctx, in[i])
		if err != nil {
			it.failed1(i, base, err, errs)
			continue
		}
		out[i] = r
	}
	return len(in)
}

func (it *items[T, R]) failed1(i, base int, err error, errs []error) {
	if errs != nil {
		errs[i] = err
	}
	it.fail(base+i, err)
}

// fail records item i's error. Fail-fast keeps the first and cancels the
// rest; CollectErrors keeps them all.
func (it *items[T, R]) fail(i int, err error) {
	te := &TaskError{Index: i, Err: err}
	it.failed.Store(true)
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.cfg.collect {
		it.errs = append(it.errs, te)
		return
	}
	if it.first == nil && it.parent.Err() == nil {
		it.first = te
		it.stop.Store(true)
		it.cancel(te)
	}
}

// stopErr returns what ended a stopped call: the caller's context error,
// else the fail-fast failure, else nil. A stream reports it in place of
// an item's error that merely saw the cancellation.
func (it *items[T, R]) stopErr() error {
	if err := it.parent.Err(); err != nil {
		return err
	}
	return it.firstErr()
}

// firstErr returns the failure that stopped a fail-fast call, or nil.
func (it *items[T, R]) firstErr() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.first == nil {
		return nil
	}
	return it.first
}

// progress counts n more items done.
func (it *items[T, R]) progress(n int) {
	if it.bar != nil {
		it.bar.Add(n)
	}
	if it.cfg.onProgress != nil {
		it.mu.Lock()
		it.done += n
		it.cfg.onProgress(it.done, it.total)
		it.mu.Unlock()
	}
}

// setTotal fixes the total once a stream's input has ended.
func (it *items[T, R]) setTotal(n int) {
	it.mu.Lock()
	it.total = n
	it.mu.Unlock()
	if it.bar != nil {
		it.bar.SetTotal(n)
	}
}

// err returns the call's error once all its items have stopped: the
// caller's context error if it ended the call early, the first failure
// (fail-fast), or every failure joined in input order (CollectErrors).
func (it *items[T, R]) err(skipped bool) error {
	if err := it.parent.Err(); err != nil && (skipped || it.failed.Load()) {
		return err
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.first != nil {
		return it.first
	}
	if len(it.errs) == 0 {
		return nil
	}
	slices.SortFunc(it.errs, func(a, b *TaskError) int { return cmp.Compare(a.Index, b.Index) })
	errs := make([]error, len(it.errs))
	for i, e := range it.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

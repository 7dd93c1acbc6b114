package shoal

import (
	"context"
	"sync/atomic"

	"github.com/shoal-go/shoal/internal/sched"
)

// Map calls fn on every element of in, in parallel on ex, and returns the
// results in input order. It blocks until every started item has returned.
//
// Items are claimed in chunks of consecutive indices (see ChunkSize), not
// as a future each, so an item costs a few nanoseconds of overhead. Called
// from inside a task of the same pool (through From), Map runs items on
// the calling goroutine too and lends its slot while it waits for the
// rest, so nested maps share the pool's bound and never deadlock.
//
// By default the first failing item cancels the context of the others, no
// new item starts, and Map returns nil and a *TaskError with that item's
// index; a panicking item fails with a *PanicError inside it. With
// CollectErrors every item runs and Map returns all results along with the
// failures joined. If ctx is done before all items ran, Map returns
// ctx.Err(). An invalid option returns an error wrapping ErrInvalidOption;
// a nil fn or ex panics.
func Map[T, R any](ctx context.Context, ex Executor, in []T, fn func(context.Context, T) (R, error), opts ...Option) ([]R, error) {
	if fn == nil {
		panic("shoal: Map with nil function")
	}
	b, remote := backendOf(ex)
	var p *Pool
	if !remote {
		p = local(ex)
	}
	cfg := newConfig(opts)
	if cfg.err != nil {
		return nil, cfg.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]R, len(in))
	var err error
	if remote {
		err = mapRemote(ctx, b, in, out, fn, fn, cfg)
	} else {
		err = runMap(ctx, p, in, out, fn, cfg)
	}
	if err != nil {
		if cfg.collect && len(out) > 0 && ctx.Err() == nil {
			return out, err
		}
		return nil, err
	}
	return out, nil
}

// ForEach calls fn on every element of in, in parallel on ex, like Map
// without results. It returns the same errors as Map. On a cluster, fn
// must be registered with RegisterEach.
func ForEach[T any](ctx context.Context, ex Executor, in []T, fn func(context.Context, T) error, opts ...Option) error {
	if fn == nil {
		panic("shoal: ForEach with nil function")
	}
	each := func(ctx context.Context, v T) (struct{}, error) { return struct{}{}, fn(ctx, v) }
	if b, ok := backendOf(ex); ok {
		// On a cluster fn travels by the name RegisterEach gave it.
		cfg := newConfig(opts)
		if cfg.err != nil {
			return cfg.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return mapRemote(ctx, b, in, make([]struct{}, len(in)), each, fn, cfg)
	}
	_, err := Map(ctx, ex, in, each, opts...)
	return err
}

// mapRun is one Map call: runners claim chunks of indices from next until
// none are left; the one that finishes the last chunk closes done.
type mapRun[T, R any] struct {
	items[T, R]
	in       []T
	out      []R
	chunk    int
	nchunks  int64
	next     atomic.Int64
	finished atomic.Int64
	skipped  atomic.Bool
	done     chan struct{}
}

func runMap[T, R any](ctx context.Context, p *Pool, in []T, out []R, fn func(context.Context, T) (R, error), cfg config) error {
	n := len(in)
	if n == 0 {
		return nil
	}
	m := &mapRun[T, R]{in: in, out: out, done: make(chan struct{})}
	m.init(ctx, p, fn, cfg, n)
	defer m.close()

	bound := p.Size()
	if cfg.limit > 0 {
		bound = min(bound, cfg.limit)
	}
	m.chunk = cfg.chunk
	if m.chunk == 0 {
		m.chunk = autoChunk(n, bound)
	}
	m.nchunks = int64((n + m.chunk - 1) / m.chunk)
	runners := int(min(int64(bound), m.nchunks))

	w := workerFrom(ctx)
	inline := w != nil && w.Pool() == p.s && w.Slot() != nil
	helpers := runners
	if inline {
		helpers--
	}
	for i := 0; i < helpers; i++ {
		if err := p.submit(ctx, m); err != nil {
			if i == 0 && !inline {
				return ErrClosed
			}
			break
		}
	}
	if inline {
		m.work(w)
	}
	await(ctx, w, m.done)
	return m.err(m.skipped.Load())
}

// autoChunk picks a chunk size giving each runner about 16 chunks, so
// uneven items still balance, capped so that tiny items amortize a claim
// over up to 1024 of them.
func autoChunk(n, runners int) int {
	c := n / (16 * runners)
	return max(1, min(c, 1024))
}

// Run implements sched.Task: a runner goroutine working on the map.
func (m *mapRun[T, R]) Run(w *sched.Worker) { m.work(w) }

func (m *mapRun[T, R]) work(w *sched.Worker) {
	if m.next.Load() >= m.nchunks {
		return // a late runner: every chunk is claimed
	}
	ctx := m.runner(w)
	for {
		c := m.next.Add(1) - 1
		if c >= m.nchunks {
			return
		}
		lo := int(c) * m.chunk
		hi := min(lo+m.chunk, len(m.in))
		end := lo // items before end have run
		if !m.stopped() {
			end += m.runSlice(ctx, m.in[lo:hi], m.out[lo:hi], lo, nil)
		}
		if end < hi {
			m.skipped.Store(true)
		}
		m.progress(end - lo)
		if m.finished.Add(1) == m.nchunks {
			close(m.done)
		}
	}
}

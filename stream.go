package shoal

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-go/shoal/internal/sched"
)

// Stream calls fn on every element of in, in parallel on ex, and yields the
// results as a sequence: in input order, or as they complete with
// Unordered. Nothing runs until the sequence is ranged over.
//
// Stream reads ahead a bounded window — at most 2×the pool's size (or
// Limit) chunks of items in flight — so an endless input runs in bounded
// memory. Without ChunkSize, a chunk starts at one item and doubles, up to
// 1024, while items stay short.
//
// A failing item is yielded as (zero, *TaskError); by default it is the
// last pair yielded, and the items after it are cancelled. With
// CollectErrors every item is yielded, failed or not. If ctx is done, the
// last pair yielded carries ctx.Err(). An invalid option is yielded as the
// only pair. Breaking out of the range loop cancels the items in flight and
// waits for them to return before the loop statement ends, so nothing is
// left running. A nil fn or ex panics.
func Stream[T, R any](ctx context.Context, ex Executor, in iter.Seq[T], fn func(context.Context, T) (R, error), opts ...Option) iter.Seq2[R, error] {
	if fn == nil {
		panic("shoal: Stream with nil function")
	}
	if in == nil {
		panic("shoal: Stream with nil input")
	}
	cfg := newConfig(opts)
	if b, ok := backendOf(ex); ok {
		if cfg.err != nil || ctx.Err() != nil {
			return func(yield func(R, error) bool) {
				var zero R
				yield(zero, errors.Join(cfg.err, ctx.Err()))
			}
		}
		return streamRemote(ctx, b, in, fn, cfg)
	}
	p := local(ex)
	return func(yield func(R, error) bool) {
		var zero R
		if cfg.err != nil {
			yield(zero, cfg.err)
			return
		}
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		s := &streamRun[T, R]{notify: make(chan struct{}, 1), yield: yield}
		s.init(ctx, p, fn, cfg, -1)
		s.w = workerFrom(ctx)
		s.window = 2 * p.Size()
		if cfg.limit > 0 {
			s.window = 2 * min(p.Size(), cfg.limit)
		}
		s.size = cfg.chunk
		if s.size == 0 {
			s.size, s.adaptive = 1, true
		}
		defer s.shutdown()
		s.run(in)
	}
}

// streamRun is one ranging of a Stream. The consumer's goroutine reads the
// input, dispatches chunks, and yields results; pool goroutines run the
// chunks.
type streamRun[T, R any] struct {
	items[T, R]
	yield    func(R, error) bool
	w        *sched.Worker // the consumer's, when it is a pool task
	window   int           // chunks in flight at most
	size     int           // items per chunk
	adaptive bool
	inflight []*streamChunk[T, R] // dispatch order
	spare    []*streamChunk[T, R]
	notify   chan struct{} // a chunk finished
	count    int           // items read so far
	ended    bool          // stop yielding: the consumer broke out, or the call failed
	wg       sync.WaitGroup
}

type streamChunk[T, R any] struct {
	s     *streamRun[T, R]
	base  int // index of items[0] in the input
	items []T
	res   []R
	errs  []error
	took  time.Duration
	done  atomic.Bool
}

func (s *streamRun[T, R]) run(in iter.Seq[T]) {
	cur := s.chunk()
	for v := range in {
		if s.ended {
			return
		}
		cur.items = append(cur.items, v)
		s.count++
		if len(cur.items) < s.size {
			continue
		}
		if !s.dispatch(cur) {
			return
		}
		cur = s.chunk()
		// Yield what is ready, and wait while the window is full.
		if !s.drain(len(s.inflight) >= s.window) {
			return
		}
		for len(s.inflight) >= s.window {
			if !s.drain(true) {
				return
			}
		}
	}
	if s.ended {
		return
	}
	s.setTotal(s.count)
	if len(cur.items) > 0 && !s.dispatch(cur) {
		return
	}
	for len(s.inflight) > 0 {
		if !s.drain(true) {
			return
		}
	}
	if err := s.parent.Err(); err != nil && s.stopped() {
		s.emit(s.zero(), err)
	}
}

func (s *streamRun[T, R]) zero() (z R) { return z }

func (s *streamRun[T, R]) chunk() *streamChunk[T, R] {
	if n := len(s.spare); n > 0 {
		c := s.spare[n-1]
		s.spare = s.spare[:n-1]
		return c
	}
	return &streamChunk[T, R]{s: s, items: make([]T, 0, s.size)}
}

// dispatch queues c and reports whether the stream goes on.
func (s *streamRun[T, R]) dispatch(c *streamChunk[T, R]) bool {
	if s.stopped() {
		return s.finishEarly()
	}
	c.base = s.count - len(c.items)
	c.done.Store(false)
	s.wg.Add(1)
	if err := s.pool.submit(s.ctx, c); err != nil {
		s.wg.Done()
		s.emit(s.zero(), err)
		s.ended = true
		return false
	}
	s.inflight = append(s.inflight, c)
	return true
}

// finishEarly yields what is in flight after the call stopped (a failure or
// ctx), then the reason.
func (s *streamRun[T, R]) finishEarly() bool {
	for len(s.inflight) > 0 && !s.ended {
		s.drain(true)
	}
	if !s.ended {
		if err := s.stopErr(); err != nil {
			s.emit(s.zero(), err)
		}
		s.ended = true
	}
	return false
}

// drain yields the results of finished chunks: the oldest (or, Unordered,
// any), waiting for one when wait is set. It reports whether to go on.
func (s *streamRun[T, R]) drain(wait bool) bool {
	for len(s.inflight) > 0 && !s.ended {
		i := s.ready()
		if i < 0 {
			if !wait {
				return true
			}
			await(s.parent, s.w, s.notify)
			continue
		}
		c := s.inflight[i]
		s.inflight = append(s.inflight[:i], s.inflight[i+1:]...)
		s.deliver(c)
		wait = false
	}
	return !s.ended
}

// ready returns the index in inflight of a finished chunk that may be
// yielded now, or -1.
func (s *streamRun[T, R]) ready() int {
	if !s.cfg.unordered {
		if s.inflight[0].done.Load() {
			return 0
		}
		return -1
	}
	for i, c := range s.inflight {
		if c.done.Load() {
			return i
		}
	}
	return -1
}

func (s *streamRun[T, R]) deliver(c *streamChunk[T, R]) {
	if s.adaptive && s.size < 1024 && c.took < 100*time.Microsecond {
		s.size *= 2
	}
	for j := range c.items {
		if s.ended {
			break
		}
		err := c.errs[j]
		if err == nil {
			s.emit(c.res[j], nil)
			continue
		}
		if s.cfg.collect && s.parent.Err() == nil {
			s.emit(s.zero(), &TaskError{Index: c.base + j, Err: err})
			continue
		}
		// Fail-fast: report the failure that stopped the call (not an
		// item that merely saw the cancellation), and end.
		if stop := s.stopErr(); stop != nil {
			s.emit(s.zero(), stop)
		} else {
			s.emit(s.zero(), &TaskError{Index: c.base + j, Err: err})
		}
		s.ended = true
	}
	clear(c.items)
	clear(c.res)
	c.items = c.items[:0]
	s.spare = append(s.spare, c)
}

func (s *streamRun[T, R]) emit(r R, err error) {
	if !s.yield(r, err) {
		s.ended = true
	}
}

// shutdown cancels what is still in flight and waits for it.
func (s *streamRun[T, R]) shutdown() {
	s.cancel(context.Canceled)
	if resume := lend(s.parent, s.w); resume != nil {
		defer resume()
	}
	s.wg.Wait()
	s.close()
}

// Run implements sched.Task: it runs the chunk's items.
func (c *streamChunk[T, R]) Run(w *sched.Worker) {
	s := c.s
	defer s.wg.Done()
	start := time.Now()
	n := len(c.items)
	c.res = grow(c.res, n)
	c.errs = grow(c.errs, n)
	clear(c.errs)
	done := 0
	if !s.stopped() {
		done = s.runSlice(s.runner(w), c.items, c.res, c.base, c.errs)
	}
	for j := done; j < n; j++ {
		c.errs[j] = context.Canceled // never started: the call stopped
	}
	c.took = time.Since(start)
	s.progress(done)
	c.done.Store(true)
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// grow returns s resized to n, reusing its array when it is big enough.
func grow[E any](s []E, n int) []E {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]E, n)
}

package shoal

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-go/shoal/internal/remote"
)

// This file is the cluster side of Submit, Map, ForEach and Stream: the
// same calls, sent as registered function names and encoded data to a
// remote.Backend.

// callOf returns the Call for fn, or ErrNotRegistered.
func callOf(fn any, cfg *config) (*remote.Call, *registration, error) {
	reg, err := lookupFunc(fn)
	if err != nil {
		return nil, nil, err
	}
	c := &remote.Call{Name: reg.name, Fingerprint: reg.fingerprint, Signature: reg.signature}
	if cfg != nil {
		c.Retries, c.Timeout = cfg.retries, cfg.timeout
	}
	return c, reg, nil
}

// remoteChunk is one message of a Map or Stream on a cluster.
type remoteChunk[R any] struct {
	base int // index of the chunk's first item
	n    int
	res  []R
	errs []error // per item; nil where it succeeded
	done chan struct{}
	took time.Duration // from send to the answer
}

// remoteRun sends chunks of items to a backend, at most window chunks in
// flight, and records their outcome in the shared items bookkeeping.
type remoteRun[T, R any] struct {
	items[T, R]
	b      remote.Backend
	proto  *remote.Call
	reg    *registration
	chunk  int
	window chan struct{} // a token per chunk in flight
	// inline runs chunks in the caller's goroutine instead, when the
	// caller is a task on a worker; nil on a driver.
	inline remote.Inliner
	wg     sync.WaitGroup

	// Guided chunk sizes (Map and ForEach without ChunkSize or Limit):
	// each chunk is a share of the items not yet sent, so chunks shrink
	// towards the end and no slot idles long while another finishes a big
	// last chunk; but never so small that a chunk takes under
	// minChunkTime, going by the items of the chunks back so far.
	guided  bool
	slots   int
	perItem atomic.Int64 // ns per item of the latest chunk back; 0 before any
}

const (
	maxChunk     = 4096                 // items in one message, at most
	minChunkTime = 2 * time.Millisecond // a guided chunk's least duration, once items are timed
)

// newRemoteRun prepares a call of fn, registered as named (fn itself, or
// the function ForEach wrapped into fn).
func newRemoteRun[T, R any](ctx context.Context, b remote.Backend, fn func(context.Context, T) (R, error), named any, cfg config, total int) (*remoteRun[T, R], error) {
	if b == nil {
		return nil, errNoBackend
	}
	proto, reg, err := callOf(named, &cfg)
	if err != nil {
		return nil, err
	}
	slots := max(1, b.Slots())
	r := &remoteRun[T, R]{b: b, proto: proto, reg: reg}
	r.inline, _ = ctx.Value(lenderKey{}).(remote.Inliner)
	r.init(ctx, nil, fn, cfg, total)
	r.chunk = cfg.chunk
	r.slots = slots
	if r.chunk == 0 {
		// A message costs far more than a local claim: aim for about 4
		// chunks per slot, up to maxChunk items each.
		r.chunk = 1
		if total > 0 {
			r.chunk = max(1, min(total/(4*slots), maxChunk))
			r.guided = cfg.limit == 0
		}
	}
	window := 2 * slots
	if cfg.limit > 0 {
		r.chunk = min(r.chunk, cfg.limit)
		window = max(1, cfg.limit/r.chunk)
	}
	r.window = make(chan struct{}, window)
	return r, nil
}

// send encodes in as one chunk starting at index base and runs it: in
// the calling goroutine when the caller is a task on a worker and the
// cluster has no idle slot for it (see remote.Inliner), else through the
// queue, waiting (and lending the caller's slot) while the window is full.
// It reports false when the call has stopped and nothing was sent.
func (r *remoteRun[T, R]) send(base int, in []T) (*remoteChunk[R], bool) {
	if r.stopped() {
		return nil, false
	}
	c := &remoteChunk[R]{base: base, n: len(in), res: make([]R, len(in)), errs: make([]error, len(in)), done: make(chan struct{})}
	call := *r.proto
	call.Args = make([][]byte, len(in))
	codec := r.b.Codec()
	for i, v := range in {
		data, err := codec.Marshal(v)
		if err != nil {
			err = fmt.Errorf("shoal: encoding the argument of %s: %w", r.reg.name, err)
			c.errs[i] = err
			r.fail(base+i, err)
			close(c.done)
			return c, true
		}
		call.Args[i] = data
	}
	start := time.Now()
	if r.inline != nil {
		if res, ok := r.inline.RunInline(r.ctx, &call); ok {
			c.took = time.Since(start)
			r.finish(c, res, nil)
			close(c.done)
			return c, true
		}
	}
	acquired := false
	select {
	case r.window <- struct{}{}:
		acquired = true
	default:
		resume := lend(r.parent, workerFrom(r.parent))
		select {
		case r.window <- struct{}{}:
			acquired = true
		case <-r.ctx.Done():
		}
		if resume != nil {
			resume()
		}
	}
	if !acquired || r.stopped() {
		if acquired {
			<-r.window
		}
		return nil, false
	}
	r.wg.Add(1)
	start = time.Now()
	r.b.Submit(r.ctx, &call, func(res []remote.Result, err error) {
		defer r.wg.Done()
		c.took = time.Since(start)
		r.finish(c, res, err)
		<-r.window
		close(c.done)
	})
	return c, true
}

// finish records the outcome of chunk c, back after c.took.
func (r *remoteRun[T, R]) finish(c *remoteChunk[R], res []remote.Result, err error) {
	r.perItem.Store(max(1, int64(c.took)/int64(c.n)))
	if err == nil && len(res) != c.n {
		err = fmt.Errorf("shoal: %s: %d results for %d arguments", r.reg.name, len(res), c.n)
	}
	if err != nil {
		// The whole message failed: every item in it did.
		for i := range c.errs {
			c.errs[i] = err
		}
		r.fail(c.base, err)
		return
	}
	codec := r.b.Codec()
	for i, x := range res {
		if x.Err == nil {
			if derr := codec.Unmarshal(x.Value, &c.res[i]); derr != nil {
				x.Err = fmt.Errorf("shoal: decoding the result of %s: %w", r.reg.name, derr)
			}
		}
		if x.Err != nil {
			c.errs[i] = x.Err
			r.fail(c.base+i, x.Err)
		}
	}
	r.progress(c.n)
}

// nextChunk returns the size of the next chunk of a Map or ForEach, with
// left items not yet sent.
func (r *remoteRun[T, R]) nextChunk(left int) int {
	if !r.guided {
		return r.chunk
	}
	n := (left + 4*r.slots - 1) / (4 * r.slots)
	if per := r.perItem.Load(); per > 0 {
		n = max(n, int(int64(minChunkTime)/per))
	}
	return max(1, min(n, maxChunk))
}

// wait waits for every chunk sent, lending the caller's slot meanwhile.
func (r *remoteRun[T, R]) wait() {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	await(r.parent, workerFrom(r.parent), done)
}

func mapRemote[T, R any](ctx context.Context, b remote.Backend, in []T, out []R, fn func(context.Context, T) (R, error), named any, cfg config) error {
	if len(in) == 0 {
		return nil
	}
	r, err := newRemoteRun(ctx, b, fn, named, cfg, len(in))
	if err != nil {
		return err
	}
	defer r.close()
	var chunks []*remoteChunk[R]
	skipped := false
	for lo := 0; lo < len(in); {
		hi := min(lo+r.nextChunk(len(in)-lo), len(in))
		c, ok := r.send(lo, in[lo:hi])
		if !ok {
			skipped = true
			break
		}
		chunks = append(chunks, c)
		lo = hi
	}
	r.wait()
	for _, c := range chunks {
		copy(out[c.base:], c.res)
	}
	return r.err(skipped)
}

func streamRemote[T, R any](ctx context.Context, b remote.Backend, in iter.Seq[T], fn func(context.Context, T) (R, error), cfg config) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var zero R
		r, err := newRemoteRun(ctx, b, fn, fn, cfg, -1)
		if err != nil {
			yield(zero, err)
			return
		}
		defer func() {
			r.cancel(context.Canceled)
			r.wait()
			r.close()
		}()
		var inflight []*remoteChunk[R]
		ended := false
		// Without ChunkSize, a chunk starts at one item and doubles while
		// messages come back quickly, as on a pool.
		adaptive := cfg.chunk == 0 && cfg.limit == 0
		// deliver yields the results of finished chunks: the oldest one
		// (or any, Unordered), waiting for it if wait is set.
		deliver := func(wait bool) {
			for len(inflight) > 0 && !ended {
				k := -1
				for i, c := range inflight {
					if isDone(c.done) {
						k = i
						break
					}
					if !cfg.unordered {
						break
					}
				}
				if k < 0 {
					if !wait {
						return
					}
					await(ctx, workerFrom(ctx), inflight[0].done)
					continue
				}
				c := inflight[k]
				inflight = append(inflight[:k], inflight[k+1:]...)
				if adaptive && r.chunk < maxChunk && c.took < 20*time.Millisecond {
					r.chunk *= 2 // quick items: fewer, bigger messages
				}
				for i := range c.n {
					if ended {
						break
					}
					if c.errs[i] == nil {
						ended = !yield(c.res[i], nil)
						continue
					}
					if cfg.collect && ctx.Err() == nil {
						ended = !yield(zero, &TaskError{Index: c.base + i, Err: c.errs[i]})
						continue
					}
					if stop := r.stopErr(); stop != nil {
						yield(zero, stop)
					} else {
						yield(zero, &TaskError{Index: c.base + i, Err: c.errs[i]})
					}
					ended = true
				}
				wait = false
			}
		}
		var buf []T
		count := 0
		flush := func() bool {
			c, ok := r.send(count-len(buf), buf)
			buf = nil
			if !ok {
				return false
			}
			inflight = append(inflight, c)
			deliver(false)
			for len(inflight) >= cap(r.window) && !ended {
				deliver(true)
			}
			return !ended
		}
		for v := range in {
			buf = append(buf, v)
			count++
			if len(buf) == r.chunk && !flush() {
				break
			}
		}
		if !ended && !r.stopped() {
			r.setTotal(count)
			if len(buf) > 0 {
				flush()
			}
		}
		for len(inflight) > 0 && !ended {
			deliver(true)
		}
		if !ended && r.stopped() {
			if err := r.stopErr(); err != nil {
				yield(zero, err)
			}
		}
	}
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

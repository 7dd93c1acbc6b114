package shoal

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/shoal-go/shoal/internal/remote"
	"github.com/shoal-go/shoal/internal/sched"
)

// This file is the cluster side of Submit, Then and ThenAll: one call per
// future, whose result may stay in the cluster. A result too large for a
// message is left in the cluster's object store (the backend's kept
// result); the future fetches and decodes it only when this process asks
// for its value (Get, Wait, Ready, Done, Err, Gather, AsCompleted), and a
// dependent task on the cluster gets it by reference, so it never passes
// through this process. The kept result is deleted when the future is
// garbage collected, or when the backend closes.

// remoteTask is the task behind a remote future: a way to cancel it, and
// the result's reference while it is kept in the cluster.
type remoteTask struct {
	mu       sync.Mutex
	stop     func() // cancels the call, once sent
	canceled bool
	ended    bool     // the call ended: the future is done, or its result is kept
	wanted   bool     // the value was asked for: fetch a kept result at once
	ref      string   // the kept result, once ended
	fetch    func()   // fetches a kept result into the future; nil once started
	cbs      []func() // run when the call ends
}

func (*remoteTask) runInline(*sched.Worker) bool { return false }

func (t *remoteTask) cancel() {
	t.mu.Lock()
	t.canceled = true
	t.fetch = nil // a cancelled future needs no value
	stop := t.stop
	t.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// demand starts fetching a kept result, once: now if the call has ended,
// or as it ends.
func (t *remoteTask) demand() {
	t.mu.Lock()
	t.wanted = true
	fetch := t.fetch
	t.fetch = nil
	t.mu.Unlock()
	if fetch != nil {
		go fetch()
	}
}

// end records that the call ended, with its result kept under ref (or ""
// when the future completes with its value), and runs the callbacks.
func (t *remoteTask) end(ref string, fetch func()) {
	t.mu.Lock()
	t.ended, t.ref = true, ref
	if t.wanted || t.canceled {
		t.fetch = nil
	} else {
		t.fetch, fetch = fetch, nil
	}
	cbs := t.cbs
	t.cbs = nil
	canceled := t.canceled
	t.mu.Unlock()
	for _, cb := range cbs {
		cb()
	}
	if fetch != nil && !canceled {
		go fetch() // off the backend's goroutine that ended the call
	}
}

// onEnd calls cb once the call has ended, without fetching a kept result.
func (t *remoteTask) onEnd(cb func()) {
	t.mu.Lock()
	if !t.ended {
		t.cbs = append(t.cbs, cb)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	cb()
}

// kept returns the reference of a kept result that has not been fetched.
func (t *remoteTask) kept() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ref
}

func submitRemote[T, R any](ctx context.Context, b remote.Backend, fn func(context.Context, T) (R, error), arg T) *Future[R] {
	f := new(Future[R])
	var zero R
	if b == nil {
		f.complete(zero, errNoBackend)
		return f
	}
	c, reg, err := callOf(fn, nil)
	if err == nil {
		err = ctx.Err()
	}
	var data []byte
	if err == nil {
		data, err = b.Codec().Marshal(arg)
		if err != nil {
			err = fmt.Errorf("shoal: encoding the argument of %s: %w", reg.name, err)
		}
	}
	if err != nil {
		f.complete(zero, err)
		return f
	}
	c.Args = [][]byte{data}
	t := new(remoteTask)
	f.task = t
	sendRemote(ctx, b, c, reg, f, t, nil)
	return f
}

// sendRemote submits the one-item call c, whose result completes f, the
// future of task t. keep is kept reachable until the call ends: the
// futures whose kept results c reads.
func sendRemote[R any](ctx context.Context, b remote.Backend, c *remote.Call, reg *registration, f *Future[R], t *remoteTask, keep []any) {
	c.Keep = true
	t.mu.Lock()
	canceled := t.canceled
	t.mu.Unlock()
	if canceled {
		return
	}
	stop := b.Submit(ctx, c, func(res []remote.Result, err error) {
		runtime.KeepAlive(keep)
		if err == nil && len(res) == 1 && res[0].Err == nil && res[0].Ref != "" {
			ref := res[0].Ref
			runtime.AddCleanup(f, b.DropResult, ref)
			t.end(ref, func() {
				ctx, cancel := context.WithTimeout(context.Background(), fetchResultTimeout)
				defer cancel()
				data, err := b.FetchResult(ctx, ref)
				var v R
				if err != nil {
					err = fmt.Errorf("shoal: fetching the result of %s: %w", reg.name, err)
				} else if err = b.Codec().Unmarshal(data, &v); err != nil {
					err = fmt.Errorf("shoal: decoding the result of %s: %w", reg.name, err)
				}
				f.complete(v, err)
			})
			return
		}
		v, err := decodeOne[R](b.Codec(), reg, res, err)
		f.complete(v, err)
		t.end("", nil)
	})
	t.mu.Lock()
	canceled = t.canceled
	t.stop = stop
	t.mu.Unlock()
	if canceled {
		stop() // cancelled while being sent
	}
}

// fetchResultTimeout bounds the fetch of a kept result.
const fetchResultTimeout = 10 * time.Minute // values may be large

// decodeOne turns the outcome of a one-item call into its value.
func decodeOne[R any](codec remote.Codec, reg *registration, res []remote.Result, err error) (R, error) {
	var v R
	switch {
	case err != nil:
		return v, err
	case len(res) != 1:
		return v, fmt.Errorf("shoal: %s: %d results for one argument", reg.name, len(res))
	case res[0].Err != nil:
		return v, res[0].Err
	}
	if err := codec.Unmarshal(res[0].Value, &v); err != nil {
		return v, fmt.Errorf("shoal: decoding the result of %s: %w", reg.name, err)
	}
	return v, nil
}

// whenEnded calls cb once f is done, or, for a future of a cluster call
// whose result is kept, once the call ended; it does not fetch the result.
func whenEnded[T any](f *Future[T], cb func()) {
	t, ok := f.task.(*remoteTask)
	if !ok {
		f.onDone(cb)
		return
	}
	var once sync.Once
	run := func() { once.Do(cb) }
	t.onEnd(run)
	f.onDone(run) // done without the call ending: failed or cancelled first
}

// demand starts fetching f's result if it is kept in the cluster.
func (f *Future[T]) demand() {
	if t, ok := f.task.(*remoteTask); ok && !f.ready() {
		t.demand()
	}
}

// submitRemoteAfter submits fn for Then or ThenAll on a cluster, every
// input ended without error. The argument is assembled on the worker from
// pieces: a kept result by reference, any other value encoded here. With
// all, the argument is the list of the inputs' values.
func submitRemoteAfter[T, A, R any](ctx context.Context, b remote.Backend, in []*Future[T], all bool, fn func(context.Context, A) (R, error), out *Future[R], t *remoteTask) {
	var zero R
	c, reg, err := callOf(fn, nil)
	if err != nil {
		out.complete(zero, err)
		return
	}
	codec := b.Codec()
	var pieces []remote.Piece
	if all {
		pieces = append(pieces, remote.Piece{Data: codec.ListHeader(len(in))})
	}
	keep := make([]any, 0, len(in))
	for i, f := range in {
		if ft, ok := f.task.(*remoteTask); ok && !f.ready() {
			if ref := ft.kept(); ref != "" {
				pieces = append(pieces, remote.Piece{Ref: ref})
				keep = append(keep, f)
				continue
			}
		}
		// Done: a local future, or a result that came back whole or was
		// fetched meanwhile (or failed since: a Cancel).
		err := f.failure()
		if err == nil {
			var data []byte
			if data, err = codec.Marshal(f.val); err == nil {
				pieces = append(pieces, remote.Piece{Data: data})
				continue
			}
			err = fmt.Errorf("shoal: encoding the argument of %s: %w", reg.name, err)
		}
		out.complete(zero, &InputError{Input: i, Err: err})
		return
	}
	c.Pieces = pieces
	sendRemote(ctx, b, c, reg, out, t, keep)
}

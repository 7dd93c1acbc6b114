package shoal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/shoal-go/shoal/internal/remote"
)

// Ref is a handle to a read-only value shared by many tasks, made by Put.
// A Ref is small and may be copied, passed to tasks and stored in their
// arguments and results, on a pool or a cluster. The zero Ref refers to
// nothing.
//
// On a Pool a Ref is a pointer: Get returns the value itself, never a copy
// of its contents, so put slices, maps or pointers for large data (an array
// value would be copied by Get like any Go value). Tasks must not modify
// what they get.
//
// On a cluster the value is stored once in the cluster's object store,
// content-addressed; a Ref travels as its id, and each process fetches and
// decodes the value once and keeps it (a bounded number of values per
// process).
type Ref[T any] struct {
	v  *atomic.Pointer[T] // on a pool
	id string             // on a cluster
	b  remote.Backend     // the cluster's, on the driver; nil where decoded
}

// Put stores v for sharing through ex and returns its Ref. On a Pool it
// costs one small allocation and copies nothing; it fails with ErrClosed
// on a closed pool. On a cluster it encodes v and stores it once.
func Put[T any](ctx context.Context, ex Executor, v T) (Ref[T], error) {
	if err := ctx.Err(); err != nil {
		return Ref[T]{}, err
	}
	if b, ok := backendOf(ex); ok {
		if b == nil {
			return Ref[T]{}, errNoBackend
		}
		data, err := b.Codec().Marshal(v)
		if err != nil {
			return Ref[T]{}, fmt.Errorf("shoal: encoding a value to Put: %w", err)
		}
		id, err := b.Put(ctx, data)
		if err != nil {
			return Ref[T]{}, err
		}
		return Ref[T]{id: id, b: b}, nil
	}
	p := local(ex)
	if p.s.Closed() {
		return Ref[T]{}, ErrClosed
	}
	r := Ref[T]{v: new(atomic.Pointer[T])}
	r.v.Store(&v)
	return r, nil
}

var (
	errZeroRef     = errors.New("shoal: zero Ref")
	errLocalRefOut = errors.New("shoal: a Ref made by Put on a pool cannot travel to a cluster; Put the value on the cluster executor")
	errRefNoRemote = errors.New("shoal: Ref.Get of a cluster value outside a cluster task")
)

// Get returns the shared value. It fails with ErrReleased after Release
// (on a pool; on a cluster, once the value is gone from the store). It is
// safe for concurrent use.
func (r Ref[T]) Get(ctx context.Context) (T, error) {
	var zero T
	switch {
	case r.v != nil:
		p := r.v.Load()
		if p == nil {
			return zero, ErrReleased
		}
		return *p, nil
	case r.id == "":
		return zero, errZeroRef
	}
	b := r.b
	if b == nil {
		b, _ = backendOf(From(ctx))
	}
	if b == nil {
		return zero, errRefNoRemote
	}
	// One decode per value and process: concurrent first Gets wait for it.
	v, err := decoded.load(r.id, func() (any, error) {
		data, err := b.Fetch(ctx, r.id)
		if err != nil {
			return nil, err
		}
		var v T
		if err := b.Codec().Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("shoal: decoding shared value %s: %w", r.id, err)
		}
		return v, nil
	})
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("shoal: shared value %s holds a %T, not a %T", r.id, v, zero)
	}
	return t, nil
}

// Release frees the value: later Gets, through any copy of the Ref, fail
// with ErrReleased, and the value can be garbage collected once no task
// still uses it. On a cluster it deletes the stored value. Releasing twice
// is harmless.
func (r Ref[T]) Release(ctx context.Context) error {
	switch {
	case r.v != nil:
		r.v.Store(nil)
		return nil
	case r.id == "":
		return errZeroRef
	}
	decoded.drop(r.id)
	b := r.b
	if b == nil {
		b, _ = backendOf(From(ctx))
	}
	if b == nil {
		return errRefNoRemote
	}
	return b.Release(ctx, r.id)
}

// MarshalBinary encodes a cluster Ref as its id, so that it can travel
// inside arguments and results. A pool's Ref cannot travel.
func (r Ref[T]) MarshalBinary() ([]byte, error) {
	if r.v != nil {
		return nil, errLocalRefOut
	}
	return []byte(r.id), nil
}

// UnmarshalBinary decodes a Ref encoded by MarshalBinary.
func (r *Ref[T]) UnmarshalBinary(data []byte) error {
	*r = Ref[T]{id: string(data)}
	return nil
}

// decoded keeps the values of cluster Refs this process has decoded, so
// that tasks sharing a value fetch and decode it once. It holds at most
// maxDecoded values, dropping the oldest.
var decoded refCache

const maxDecoded = 16

type refCache struct {
	mu    sync.Mutex
	vals  map[string]*refEntry
	order []string
}

// refEntry is one value: decoding until done is closed.
type refEntry struct {
	done chan struct{}
	v    any
	err  error
}

// load returns the value of id, calling decode once for all the callers
// that ask while it runs. A failed decode is not kept.
func (c *refCache) load(id string, decode func() (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.vals[id]
	if !ok {
		if c.vals == nil {
			c.vals = map[string]*refEntry{}
		}
		for len(c.order) >= maxDecoded {
			delete(c.vals, c.order[0])
			c.order = c.order[1:]
		}
		e = &refEntry{done: make(chan struct{})}
		c.vals[id] = e
		c.order = append(c.order, id)
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		return e.v, e.err
	}
	e.v, e.err = decode()
	close(e.done)
	if e.err != nil {
		c.drop(id)
	}
	return e.v, e.err
}

func (c *refCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.vals, id)
	if i := slices.Index(c.order, id); i >= 0 {
		c.order = slices.Delete(c.order, i, i+1)
	}
}

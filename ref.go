package shoal

import (
	"context"
	"errors"
	"sync/atomic"
)

// Ref is a handle to a read-only value shared by many tasks, made by Put.
// A Ref is small and may be copied, passed to tasks and stored in their
// arguments and results. The zero Ref refers to nothing.
//
// On a Pool a Ref is a pointer: Get returns the value itself, never a copy
// of its contents, so put slices, maps or pointers for large data (an array
// value would be copied by Get like any Go value). Tasks must not modify
// what they get.
type Ref[T any] struct {
	v *atomic.Pointer[T]
}

// Put stores v for sharing through ex and returns its Ref. On a Pool it
// costs one small allocation and copies nothing; it fails with ErrClosed
// on a closed pool.
func Put[T any](ctx context.Context, ex Executor, v T) (Ref[T], error) {
	p := local(ex)
	if p.s.Closed() {
		return Ref[T]{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Ref[T]{}, err
	}
	r := Ref[T]{v: new(atomic.Pointer[T])}
	r.v.Store(&v)
	return r, nil
}

var errZeroRef = errors.New("shoal: zero Ref")

// Get returns the shared value. It fails with ErrReleased after Release.
// It is safe for concurrent use.
func (r Ref[T]) Get(ctx context.Context) (T, error) {
	var zero T
	if r.v == nil {
		return zero, errZeroRef
	}
	p := r.v.Load()
	if p == nil {
		return zero, ErrReleased
	}
	return *p, nil
}

// Release frees the value: later Gets, through any copy of the Ref, fail
// with ErrReleased, and the value can be garbage collected once no task
// still uses it. Releasing twice is harmless.
func (r Ref[T]) Release(ctx context.Context) error {
	if r.v == nil {
		return errZeroRef
	}
	r.v.Store(nil)
	return nil
}

package shoal

import (
	"reflect"
	"unsafe"
)

// Fingerprint exposes the signature fingerprint of func(ctx, T) (R, error)
// to the tests.
func Fingerprint(fn any) string {
	ft := reflect.TypeOf(fn)
	return fingerprint(ft.In(1), ft.Out(0))
}

// Registered reports the name and fingerprint fn is registered under.
func Registered(fn any) (name, fp string, err error) {
	r, err := lookupFunc(fn)
	if err != nil {
		return "", "", err
	}
	return r.name, r.fingerprint, nil
}

// RegisteredName reports whether a function is registered under name.
func RegisteredName(name string) error {
	_, err := lookupName(name)
	return err
}

// TaskSize is the size of the allocation behind Submit's future for a
// func(context.Context, int) (int, error).
const TaskSize = unsafe.Sizeof(task[int, int]{})

// NewFuture returns a future with no task behind it, and the function that
// completes it (the first call wins).
func NewFuture[T any]() (*Future[T], func(T, error)) {
	f := new(Future[T])
	return f, f.complete
}

// OnDone calls cb once f is done, as Then's inputs do.
func OnDone[T any](f *Future[T], cb func()) { f.onDone(cb) }

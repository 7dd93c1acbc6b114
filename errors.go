package shoal

import (
	"errors"
	"fmt"
	"runtime/debug"
)

var (
	// ErrClosed is returned (or set on a future) when work is submitted to
	// a Pool after Close.
	ErrClosed = errors.New("shoal: pool closed")

	// ErrNotRegistered reports a function that reached an executor needing
	// registered functions (a cluster) without having been registered.
	ErrNotRegistered = errors.New("shoal: function not registered")

	// ErrInvalidOption wraps every error about an option's value, such as
	// ChunkSize(-1) or Limit(0).
	ErrInvalidOption = errors.New("shoal: invalid option")

	// ErrReleased is returned by Ref.Get after Ref.Release.
	ErrReleased = errors.New("shoal: ref released")
)

// TaskError reports which item of a Map, ForEach, Stream or Gather failed.
// It unwraps to the item's own error (a *PanicError when the item panicked).
type TaskError struct {
	Index int   // the item's position in the input
	Err   error // what the item returned
}

func (e *TaskError) Error() string { return fmt.Sprintf("shoal: item %d: %v", e.Index, e.Err) }

// Unwrap returns the item's error.
func (e *TaskError) Unwrap() error { return e.Err }

// PanicError is the error of a task that panicked. The panic is recovered
// on the goroutine that ran the task: it fails that task only, never the
// pool, a worker or the program.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack, as debug.Stack formats it
}

func (e *PanicError) Error() string { return fmt.Sprintf("shoal: task panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error (as with a runtime
// error), so errors.Is and errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

func newPanicError(v any) *PanicError { return &PanicError{Value: v, Stack: debug.Stack()} }

func optionError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

// InputError is the error of a future made by Then or ThenAll when one of
// its inputs failed: the dependent task never ran. It unwraps to the
// input's error.
type InputError struct {
	Input int   // the failed input's position (0 for Then)
	Err   error // the input's error
}

func (e *InputError) Error() string { return fmt.Sprintf("shoal: input %d failed: %v", e.Input, e.Err) }

// Unwrap returns the input's error.
func (e *InputError) Unwrap() error { return e.Err }

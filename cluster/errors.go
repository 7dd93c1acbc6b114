package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/shoal-go/shoal"
)

var (
	// ErrAuth wraps the error of Connect or Serve when the server refuses
	// the credentials (a wrong or missing token, a bad creds file).
	ErrAuth = errors.New("cluster: not authorized by the server")

	// ErrSignature is wrapped by the error of a task whose function has a
	// different signature on the worker than on the driver: the two
	// binaries were built from different code. The message names the
	// function and both signatures.
	ErrSignature = errors.New("cluster: function signature differs between driver and worker")

	// ErrLostWorker is wrapped by the error of a task that was handed to
	// workers more times than its retry budget allows, each time without
	// finishing: its workers died, were stopped or went silent.
	ErrLostWorker = errors.New("cluster: lost worker")

	// ErrClosed is the error of calls still in flight when their Client or
	// Cluster closes, and of calls made after.
	ErrClosed = errors.New("cluster: closed")

	// ErrClientGone is wrapped by the error of a task that a worker
	// dropped because its client looked gone: the client closed, or its
	// heartbeat stopped for several seconds (a killed driver). Only a
	// client wrongly taken for gone ever sees it.
	ErrClientGone = errors.New("cluster: the task's client is gone")
)

// RemoteError is an error that happened on a worker, as it reaches the
// driver: the message of the error the task returned (Error returns it
// unchanged) and the worker's id. errors.Is sees through it to
// context.Canceled, context.DeadlineExceeded, shoal.ErrNotRegistered,
// shoal.ErrReleased, ErrSignature, ErrLostWorker and ErrClientGone when
// the worker's error was one of those; other error types and values do
// not cross the wire.
type RemoteError struct {
	Worker  string // the id of the worker that ran the task
	Message string // the worker-side error's Error()
	kind    errKind
}

func (e *RemoteError) Error() string { return e.Message }

// Unwrap returns the sentinel the worker-side error matched, if any.
func (e *RemoteError) Unwrap() error { return e.kind.sentinel() }

// errKind classifies an error for the wire.
type errKind uint8

const (
	kindOK errKind = iota
	kindError
	kindPanic
	kindCanceled
	kindDeadline
	kindNotRegistered
	kindSignature
	kindLostWorker
	kindReleased
	kindMalformed
	kindClientGone
	kindEnd // not a kind: the bound of valid ones
)

func (k errKind) sentinel() error {
	switch k {
	case kindCanceled:
		return context.Canceled
	case kindDeadline:
		return context.DeadlineExceeded
	case kindNotRegistered:
		return shoal.ErrNotRegistered
	case kindSignature:
		return ErrSignature
	case kindLostWorker:
		return ErrLostWorker
	case kindReleased:
		return shoal.ErrReleased
	case kindMalformed:
		return errMalformed
	case kindClientGone:
		return ErrClientGone
	}
	return nil
}

// toWire classifies err, an item's or a call's error on a worker.
func toWire(err error) *wireError {
	var pe *shoal.PanicError
	if errors.As(err, &pe) && err == error(pe) {
		return &wireError{Kind: kindPanic, Msg: fmt.Sprint(pe.Value), Stack: pe.Stack}
	}
	k := kindError
	for _, kk := range []errKind{kindCanceled, kindDeadline, kindNotRegistered, kindSignature, kindLostWorker, kindReleased, kindMalformed, kindClientGone} {
		if errors.Is(err, kk.sentinel()) {
			k = kk
			break
		}
	}
	return &wireError{Kind: k, Msg: err.Error()}
}

// fromWire restores an error on the driver: a *shoal.PanicError for a
// panic (its Value the panic value's text), the bare sentinel when the
// worker's error was exactly context.Canceled or DeadlineExceeded, and a
// *RemoteError otherwise.
func fromWire(e *wireError, worker string) error {
	switch e.Kind {
	case kindPanic:
		return &shoal.PanicError{Value: e.Msg, Stack: e.Stack}
	case kindCanceled, kindDeadline:
		if s := e.Kind.sentinel(); e.Msg == s.Error() {
			return s
		}
	}
	return &RemoteError{Worker: worker, Message: e.Msg, kind: e.Kind}
}

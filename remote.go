package shoal

import (
	"context"
	"errors"

	"github.com/shoal-go/shoal/internal/remote"
	"github.com/shoal-go/shoal/internal/sched"
)

// Remote is the part of an Executor that runs tasks in other processes:
// package cluster's Client and Cluster embed it. It is exported only so
// that they can; its zero value fails every call.
type Remote struct {
	b remote.Backend
}

// NewRemote wraps a backend of this module's cluster package. Code outside
// the module cannot call it: its argument's type is internal.
func NewRemote(b remote.Backend) Remote { return Remote{b: b} }

func (Remote) isExecutor() {}

func (r Remote) backend() remote.Backend { return r.b }

// errNoBackend is the error of a zero Remote.
var errNoBackend = errors.New("shoal: executor has no backend")

// errClosureOnCluster is the error of Go on a cluster executor.
var errClosureOnCluster = errors.New("shoal: Go runs closures on local pools only; on a cluster, Register a top-level function and use Submit")

// backendOf returns the backend of a remote executor, or nil for a pool.
func backendOf(ex Executor) (remote.Backend, bool) {
	r, ok := ex.(interface{ backend() remote.Backend })
	if !ok {
		return nil, false
	}
	return r.backend(), true
}

type lenderKey struct{}

func init() {
	remote.Lookup = func(name string) (*remote.Func, bool) {
		r, err := lookupName(name)
		if err != nil {
			return nil, false
		}
		return &remote.Func{Name: r.name, Signature: r.signature, Fingerprint: r.fingerprint, Invoke: r.invoke}, true
	}
	remote.TaskContext = func(ctx context.Context, ex any, l remote.Lender) context.Context {
		e, _ := ex.(Executor)
		return &remoteTaskCtx{Context: ctx, ex: e, l: l}
	}
}

// remoteTaskCtx is the context of a task on a cluster worker: From returns
// the worker's executor, and waits lend the task's slot on the worker.
type remoteTaskCtx struct {
	context.Context
	ex Executor
	l  remote.Lender
}

func (c *remoteTaskCtx) Value(key any) any {
	switch key {
	case executorKey{}:
		return c.ex
	case lenderKey{}:
		return c.l
	case workerKey{}:
		return nil // not a pool task
	}
	return c.Context.Value(key)
}

// lend gives up the slot of the task running with ctx while it waits — a
// pool slot (w) or a cluster worker's — and returns what takes it back, or
// nil when there was nothing to lend. It is on the slow path only: the
// caller is about to block.
func lend(ctx context.Context, w *sched.Worker) (resume func()) {
	if w.Block() {
		return w.Resume
	}
	if ctx == nil {
		return nil
	}
	if l, ok := ctx.Value(lenderKey{}).(remote.Lender); ok && l != nil && l.Block() {
		return l.Resume
	}
	return nil
}

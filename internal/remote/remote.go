// Package remote is the seam between package shoal and the executors that
// run tasks in other processes (package cluster). Package shoal fills in
// the hooks (Lookup, TaskContext) in its init function and dispatches
// Submit, Map, Stream and Put on a Remote executor to a Backend; package
// cluster implements Backend on NATS JetStream and serves tasks by looking
// functions up by name.
//
// Nothing here is for use outside this module.
package remote

import (
	"context"
	"time"
)

// Codec encodes values for the wire. Implementations bound what they
// decode (sizes, nesting), so a hostile or corrupt payload fails one
// task, never the process.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
	// ListHeader returns what comes before n encoded values to make them
	// one encoded list (a []T of them), so a list can be assembled from
	// values without decoding them.
	ListHeader(n int) []byte
}

// Func is a registered function as a worker needs it.
type Func struct {
	Name        string
	Signature   string // the Go signature, for error messages
	Fingerprint string // hash of the deep structure of argument and result types
	// Invoke decodes arg with c, calls the function with ctx and encodes
	// its result. A panic in the function comes back as an error of type
	// *shoal.PanicError; a decoding failure as an error saying so.
	Invoke func(ctx context.Context, c Codec, arg []byte) ([]byte, error)
}

// Lookup returns the function registered under name in this binary.
// Package shoal sets it.
var Lookup func(name string) (*Func, bool)

// Lender is what a task lends while it waits on other tasks: its slot on
// the worker, so the worker can start another task meanwhile. Block
// reports whether it lent the slot; only then is Resume called, which may
// wait for a slot to come free.
type Lender interface {
	Block() bool
	Resume()
}

// Inliner is what a task on a worker offers the calls it makes on the
// cluster (its Lender implements it too): running a chunk of a nested Map,
// ForEach or Stream in the calling goroutine, in the task's own slot, when
// no slot of the cluster is idle to take it from the queue. Every item is
// decoded, run and encoded as a worker would run it, with c's Retries and
// Timeout, so the outcome is the one the queue would have given.
type Inliner interface {
	// RunInline runs c and returns one Result per argument, reporting true;
	// or reports false, having run nothing, when c should go through the
	// queue instead. Items not yet started when ctx is done fail with
	// ctx's error.
	RunInline(ctx context.Context, c *Call) ([]Result, bool)
}

// TaskContext returns the context a task on a cluster worker runs with:
// shoal.From returns ex (the worker's executor), and waits on other tasks
// lend the task's slot through l. Package shoal sets it.
var TaskContext func(ctx context.Context, ex any, l Lender) context.Context

// Call is one message's worth of work: a registered function applied to
// one argument (Submit) or to a batch of them (a chunk of a Map).
type Call struct {
	Name        string
	Fingerprint string
	Signature   string
	Args        [][]byte // encoded arguments, one per item
	// Pieces, when set instead of Args, make the call's one argument:
	// their concatenation, where a piece is inline data or a value that
	// stays in the cluster (a kept result, a shared value).
	Pieces []Piece
	// Keep asks for a one-item call's result to stay in the cluster when
	// it is too large for a message: the Result then carries a Ref
	// instead of the value (see Backend.FetchResult).
	Keep    bool
	Retries int           // times an item, or the whole call after a lost worker, may run again
	Timeout time.Duration // per item attempt; 0: none
}

// Result is the outcome of one item of a Call: its encoded value, or its
// error (a *shoal.PanicError for a panic, context.Canceled or
// context.DeadlineExceeded when the item saw those, or an error carrying
// the worker's message).
type Result struct {
	Value []byte
	Ref   string // set instead of Value for a kept result
	Err   error
}

// Piece is part of an argument assembled on the worker: Data inline, or
// the value behind Ref (a kept Result's Ref), or the shared value Shared
// (an id from Backend.Put).
type Piece struct {
	Data   []byte
	Ref    string
	Shared string
}

// Backend runs calls in other processes. Package cluster implements it.
type Backend interface {
	// Codec is the wire encoding of arguments, results and shared values.
	Codec() Codec
	// Slots reports how many tasks the workers run at once, as far as the
	// backend knows, for automatic chunk sizes and read-ahead (at least 1).
	Slots() int
	// Submit sends c and calls done exactly once, from any goroutine: with
	// one Result per argument, or with an error for the whole call (the
	// function is not registered on the worker, its signature differs, the
	// retry budget ran out after lost workers, ctx was cancelled). When ctx
	// is cancelled the call is dropped if still queued, and cancelled on
	// the worker if running. The returned cancel does the same as
	// cancelling ctx, done getting context.Canceled; it does nothing once
	// the call has ended. It lets a caller cancel one call without a
	// context of its own for it.
	Submit(ctx context.Context, c *Call, done func(res []Result, err error)) (cancel func())
	// Put stores an encoded value once, content-addressed, and returns its
	// id; Fetch returns it (a worker fetches each id once and caches it);
	// Release deletes it.
	Put(ctx context.Context, data []byte) (id string, err error)
	Fetch(ctx context.Context, id string) ([]byte, error)
	Release(ctx context.Context, id string) error
	// FetchResult returns the value of a kept result; DropResult deletes
	// it, in the background. A kept result lives until dropped or the
	// backend closes.
	FetchResult(ctx context.Context, ref string) ([]byte, error)
	DropResult(ref string)
}

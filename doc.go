// Package shoal runs Go loops in parallel: typed maps, streams and futures
// on a pool of workers, nested to any depth without deadlock, with progress
// bars, shared read-only values, and the same calls on a cluster.
//
// A slow loop becomes a Map:
//
//	pool := shoal.NewPool() // GOMAXPROCS workers
//	defer pool.Close()
//	smart, err := shoal.Map(ctx, pool, assets, func(ctx context.Context, a Asset) ([]TraderID, error) {
//		// nested: the inner Map runs on the same pool
//		scores, err := shoal.Map(ctx, shoal.From(ctx), a.Traders, scoreTrader)
//		...
//	}, shoal.Progress("assets"))
//
// # Executors
//
// An Executor is where tasks run. A *Pool runs them on this machine's
// cores, at most Workers(n) at once (default GOMAXPROCS). From returns the
// executor of the task that is running, so nested work shares its bound;
// outside any task it returns Default, a process-wide pool.
//
// # Work
//
// Map, ForEach and Stream apply one function to many items. Map and ForEach
// take a slice and claim it in chunks of indices, so an item costs a few
// nanoseconds, not a future; Stream takes an iter.Seq, reads a bounded
// window ahead, and yields results as an iter.Seq2. Go and Submit run one
// function call and return a Future; Gather and AsCompleted wait for many.
// Then and ThenAll build task graphs: they return a Future at once, and
// their task starts when its inputs are ready (an input's failure fails it
// with an *InputError, without running it). Futures cost an allocation
// each (80 bytes for small argument and result types): for many small
// items use Map.
//
// # Nesting and the bound
//
// A task that waits — on a Future, Gather, AsCompleted, or a nested Map,
// ForEach or Stream — does not keep its worker slot while it waits: it runs
// the awaited work itself if that work is still queued, and otherwise lends
// its slot to other work and takes one back when the wait is over. So nested
// calls complete at any depth, even on Workers(1), and at most n user
// functions run at once. A context from a task should be used on that
// task's goroutine: nested calls made from another goroutine with it still
// complete, but may briefly run beyond the bound.
//
// # Goroutines
//
// A Pool starts a goroutine for a slot when work arrives and the slot is
// free; the goroutine exits when no work is left, so an idle pool holds no
// goroutines and needs no Close to avoid leaks (Close is for waiting until
// submitted work is done, and for refusing more). Map, ForEach and Stream
// return only after every item they started has returned; breaking out of
// a Stream's range loop cancels the items in flight and waits for them.
//
// # Errors, panics and cancellation
//
// By default the first failing item cancels the context of the other items
// of its call (fail-fast, like errgroup), and the call returns a *TaskError
// naming the item's index. CollectErrors runs every item and joins their
// errors. A panic in a task is recovered on the goroutine that ran it and
// becomes that task's *PanicError, with the value and stack; it never takes
// down a worker or the program. Cancelling the caller's context (for example
// Ctrl-C through signal.NotifyContext) stops dispatch at once and cancels
// the context of running items; the call returns ctx.Err(). Go cannot stop
// a function that ignores its context: Timeout and cancellation take effect
// when it returns.
//
// Programming errors — a nil function or executor, Workers(0), registering
// a closure — panic; invalid option values are returned as errors wrapping
// ErrInvalidOption; work sent to a closed pool fails with ErrClosed.
//
// # Sharing data
//
// Put shares one read-only value with many tasks through a Ref. On a pool
// the Ref holds a pointer, so nothing is copied; on a cluster the value is
// stored once and each process fetches and decodes it once.
//
// # Registration and clusters
//
// Register (RegisterEach for ForEach's functions) gives a function a
// stable name and a fingerprint of its argument and result types. A
// cluster (package cluster) runs only registered functions, found by name
// in the worker's own binary: code never travels, only data. The same
// Submit, Then, ThenAll, Map, ForEach, Stream, Gather, AsCompleted and Put
// calls run on a cluster executor; Go, which takes a closure, fails there
// with an error saying to register a function. On a cluster a value that
// one task returns and Then hands to another stays in the cluster when it
// is too large for a message: this process reads it only if it asks the
// future for its value.
//
// # Progress
//
// Progress(label) draws a bar on standard error for a Map, ForEach or
// Stream, nested under the bar of the call it runs in; package progress
// says how it draws and how to redirect it. OnProgress hands the counts to
// code instead.
package shoal

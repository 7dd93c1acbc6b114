package shoal

import (
	"time"
)

// Option configures one call of Map, ForEach or Stream.
type Option func(*config)

type config struct {
	chunk      int // 0: automatic
	limit      int // 0: the executor's size
	unordered  bool
	collect    bool
	retries    int
	timeout    time.Duration
	label      string
	onProgress func(done, total int)
	err        error // the first invalid option
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

func (c *config) invalid(err error) {
	if c.err == nil {
		c.err = err
	}
}

// ChunkSize sets how many consecutive items one claim takes. The default
// is automatic: about 16 chunks per worker, between 1 and 1024 items each,
// so a few long items still spread over every worker while millions of
// tiny ones cost a few nanoseconds each. On a cluster, where a chunk is a
// message, the automatic chunks are larger and shrink towards the end
// (see package cluster). n must be at least 1.
func ChunkSize(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.invalid(optionError("ChunkSize(%d): must be at least 1", n))
		}
		c.chunk = n
	}
}

// Limit runs at most n of this call's items at once, however large the
// executor ("5 at a time"). n must be at least 1.
func Limit(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.invalid(optionError("Limit(%d): must be at least 1", n))
		}
		c.limit = n
	}
}

// Unordered lets Stream yield results as they complete instead of in input
// order. Map and ForEach ignore it: their results are always in input order.
func Unordered() Option { return func(c *config) { c.unordered = true } }

// CollectErrors runs every item even when some fail, and returns every
// result together with errors.Join of the failed items' *TaskErrors, in
// input order. Without it the first error cancels the other items
// (fail-fast, like errgroup).
func CollectErrors() Option { return func(c *config) { c.collect = true } }

// Retry runs a failed item (an error, a panic or a Timeout) again, up to n
// more times, before counting it as failed. Items are not retried once the
// call's context is done. n must not be negative.
func Retry(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.invalid(optionError("Retry(%d): must not be negative", n))
		}
		c.retries = n
	}
}

// Timeout gives each attempt of each item a context that expires after d.
// An item that overruns fails with context.DeadlineExceeded, once it
// returns: Go cannot stop a function that ignores its context. d must be
// positive.
func Timeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.invalid(optionError("Timeout(%v): must be positive", d))
		}
		c.timeout = d
	}
}

// Progress draws a progress bar labelled label on standard error while the
// call runs (done/total, rate, ETA), nested under the bar of the call it
// runs inside, if any. Off a terminal it prints a plain line every few
// seconds. See the progress package for where and how it draws.
func Progress(label string) Option { return func(c *config) { c.label = label } }

// OnProgress calls fn with the number of items done and the total after
// each chunk completes (total is -1 for a Stream whose input has not ended).
// Calls are serialized and done never decreases; fn runs on a worker
// goroutine, so keep it short.
func OnProgress(fn func(done, total int)) Option {
	return func(c *config) { c.onProgress = fn }
}

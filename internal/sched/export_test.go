package sched

import "slices"

// NewManual returns a pool whose goroutines are not started: each worker
// the pool would start is appended to *started instead, for the test to
// drive with Next and Loop, one step at a time.
func NewManual(n int) (p *Pool, started *[]*Worker) {
	p = newPool(n)
	started = new([]*Worker)
	p.spawn = func(w *Worker) { *started = append(*started, w) }
	return p, started
}

// Next is the worker loop's step: record a finished task (if finished) and
// take the next one for w's slot, or give the slot away and return nil.
func (p *Pool) Next(w *Worker, finished bool) Task { return p.next(w, finished) }

// Loop runs w's loop on the calling goroutine until it gives its slot up.
func (p *Pool) Loop(w *Worker) { p.loop(w) }

// FreeSlots counts the slots no goroutine holds.
func (p *Pool) FreeSlots() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.free)
}

// Resumers counts the tasks waiting in Resume for a slot.
func (p *Pool) Resumers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.resumers)
}

// PoolIDFree reports whether id has been given back, for a new pool to
// take.
func PoolIDFree(id uint32) bool {
	poolIDs.mu.Lock()
	defer poolIDs.mu.Unlock()
	return slices.Contains(poolIDs.free, id)
}

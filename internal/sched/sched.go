// Package sched is shoal's local scheduler: a fixed number of slots, each
// with its own deque, plus a shared queue, run by goroutines that hold a
// slot while they run tasks.
//
// # Slots, not threads
//
// A Pool has n slots. A goroutine runs user work only while it holds a
// slot, so at most n tasks run at once. A goroutine is started for a slot
// when work arrives and the slot is free; it runs tasks from its slot's
// deque (newest first), then the shared queue (oldest first), then steals
// from the other slots (oldest first), and frees the slot and exits when
// there is nothing left. An idle Pool has no goroutines.
//
// # Waiting without deadlock
//
// A task that must wait for other work (a future, a nested map) calls
// Worker.Block before it waits and Worker.Resume after: Block lends the
// slot out — to a task that is resuming, or to a new goroutine when work is
// queued — and Resume takes a slot back, ahead of any new work. A waiting
// task therefore never holds a slot, so nesting at any depth completes even
// with one slot, and the number of running tasks never exceeds n.
//
// The state machine lives under one mutex in Pool; the only concurrency
// outside it is the goroutine started by the spawn function, which tests
// replace to drive the scheduler step by step.
package sched

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("pool closed")

// Task is a unit of work. Run is called with the Worker that holds the slot
// it runs on.
type Task interface {
	Run(w *Worker)
}

// Slot is one unit of the pool's concurrency bound, with its own deque.
type Slot struct {
	id    int
	local deque
}

// ID reports the slot's index, from 0 to Pool.Size()-1.
func (s *Slot) ID() int { return s.id }

// Worker is the goroutine-side handle of a slot: the goroutine that runs a
// task passes its Worker to the task, and the task lends the slot with Block
// and takes one back with Resume.
type Worker struct {
	pool *Pool
	slot atomic.Pointer[Slot] // nil while lent out
}

// Pool returns the pool the worker belongs to.
func (w *Worker) Pool() *Pool { return w.pool }

// Slot returns the slot the worker holds, or nil while it is lent out.
func (w *Worker) Slot() *Slot { return w.slot.Load() }

// Pool is the scheduler. Its zero value is not usable; call New.
type Pool struct {
	spawn func(w *Worker) // starts a goroutine running w's loop

	mu       sync.Mutex
	slots    []*Slot
	free     []*Slot        // slots no goroutine holds
	global   deque          // tasks submitted from outside the pool
	queued   int            // tasks in global and all local deques
	pending  int            // tasks submitted and not yet finished
	resumers []chan *Slot   // blocked tasks waiting for a slot, oldest first
	closed   bool
	drained  chan struct{} // closed when closed && pending == 0
}

// New returns a pool with n slots (n >= 1) whose goroutines are started
// with the go statement.
func New(n int) *Pool {
	p := newPool(n)
	p.spawn = func(w *Worker) { go p.loop(w) }
	return p
}

func newPool(n int) *Pool {
	if n < 1 {
		panic("sched: pool size must be at least 1")
	}
	p := &Pool{slots: make([]*Slot, n), free: make([]*Slot, n)}
	for i := range p.slots {
		s := &Slot{id: i}
		p.slots[i] = s
		p.free[n-1-i] = s // slot 0 is handed out first
	}
	return p
}

// Size reports the number of slots.
func (p *Pool) Size() int { return len(p.slots) }

// Submit queues t. When hint is a worker of this pool that holds a slot, t
// goes to that slot's deque (it will likely run next on the same goroutine,
// or be stolen by an idle one); otherwise to the shared queue. It returns
// ErrClosed after Close.
func (p *Pool) Submit(t Task, hint *Worker) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	var s *Slot
	if hint != nil && hint.pool == p {
		s = hint.slot.Load()
	}
	if s != nil {
		s.local.pushBack(t)
	} else {
		p.global.pushBack(t)
	}
	p.queued++
	p.pending++
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		p.startLocked(s)
	}
	p.mu.Unlock()
	return nil
}

func (p *Pool) startLocked(s *Slot) {
	w := &Worker{pool: p}
	w.slot.Store(s)
	p.spawn(w)
}

// loop runs tasks on w's slot until there are none left.
func (p *Pool) loop(w *Worker) {
	var t Task
	defer func() {
		if t != nil {
			// The task never returned: it called runtime.Goexit. Count it
			// finished and pass the slot on, so the pool goes on working.
			p.abandon(w)
		}
	}()
	for t = p.next(w, false); t != nil; t = p.next(w, true) {
		t.Run(w)
	}
}

func (p *Pool) abandon(w *Worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
	if s := w.slot.Load(); s != nil {
		w.slot.Store(nil)
		p.handoffLocked(s)
	}
}

// next records that w finished a task (when finished is set) and returns
// the next task for w's slot, or nil after giving the slot away.
func (p *Pool) next(w *Worker, finished bool) Task {
	p.mu.Lock()
	defer p.mu.Unlock()
	if finished {
		p.finishLocked()
	}
	s := w.slot.Load()
	if len(p.resumers) > 0 {
		w.slot.Store(nil)
		p.handoffLocked(s)
		return nil
	}
	if t := p.takeLocked(s); t != nil {
		return t
	}
	w.slot.Store(nil)
	p.free = append(p.free, s)
	return nil
}

func (p *Pool) finishLocked() {
	p.pending--
	if p.pending == 0 && p.drained != nil {
		close(p.drained)
		p.drained = nil
	}
}

// takeLocked pops the next task for slot s: its own newest, then the
// shared queue's oldest, then the oldest of another slot's deque.
func (p *Pool) takeLocked(s *Slot) Task {
	if p.queued == 0 {
		return nil
	}
	t, ok := s.local.popBack()
	if !ok {
		t, ok = p.global.popFront()
	}
	for i := 1; !ok && i < len(p.slots); i++ {
		t, ok = p.slots[(s.id+i)%len(p.slots)].local.popFront()
	}
	if !ok {
		panic("sched: queued count out of step with the queues")
	}
	p.queued--
	return t
}

// handoffLocked gives away a slot that its goroutine no longer uses: to the
// oldest resuming task, else to a new goroutine when work is queued, else to
// the free list.
func (p *Pool) handoffLocked(s *Slot) {
	switch {
	case len(p.resumers) > 0:
		ch := p.resumers[0]
		p.resumers[0] = nil
		p.resumers = p.resumers[1:]
		ch <- s // buffered: never blocks
	case p.queued > 0:
		p.startLocked(s)
	default:
		p.free = append(p.free, s)
	}
}

// Block lends w's slot out while the calling task waits. It reports whether
// it did: false when w holds no slot (already lent, or w is nil), in which
// case the caller must not call Resume.
func (w *Worker) Block() bool {
	if w == nil {
		return false
	}
	p := w.pool
	p.mu.Lock()
	s := w.slot.Load()
	if s == nil {
		p.mu.Unlock()
		return false
	}
	w.slot.Store(nil)
	p.handoffLocked(s)
	p.mu.Unlock()
	return true
}

// Resume takes a slot back after a Block, waiting for one if none is free.
// Resuming tasks get slots before queued tasks start, oldest first.
func (w *Worker) Resume() {
	p := w.pool
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		w.slot.Store(s)
		p.mu.Unlock()
		return
	}
	ch := make(chan *Slot, 1)
	p.resumers = append(p.resumers, ch)
	p.mu.Unlock()
	w.slot.Store(<-ch)
}

// Close stops accepting tasks and waits until every task submitted before
// it has finished. It is safe to call more than once. Calling it from a
// task of the same pool deadlocks.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	if p.pending == 0 {
		p.mu.Unlock()
		return
	}
	if p.drained == nil {
		p.drained = make(chan struct{})
	}
	ch := p.drained
	p.mu.Unlock()
	<-ch
}

// Closed reports whether Close has been called.
func (p *Pool) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

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
// # Locks
//
// Each slot's deque has its own lock; the shared queue takes no lock to
// push (see inbox) and one per batch to take; slot ownership (the free list
// and the resuming tasks) is under the Pool's mutex. Counters kept in
// atomics let Submit and an idle worker skip that mutex on their fast
// paths; the two check each other's after writing their own (a deque size
// or a published cell, then free slots; free slots, then the queues), so a
// task is never left queued with a free slot and no goroutine. The goroutines are started
// by a spawn function that tests replace to drive the scheduler step by step.
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
	local lockedDeque
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
	// Owner is the value the pool's user finds from a Worker (see
	// Worker.Pool); the scheduler does not use it.
	Owner any

	id    uint32          // see ID
	spawn func(w *Worker) // starts a goroutine running w's loop
	slots []*Slot
	// global holds tasks submitted from outside the pool.
	global inbox

	nfree     atomic.Int32 // len(free)
	nresumers atomic.Int32 // len(resumers)
	closed    atomic.Bool

	mu       sync.Mutex
	free     []*Slot       // slots no goroutine holds
	resumers []chan *Slot  // blocked tasks waiting for a slot, oldest first
	blocked  int           // tasks between Block and the end of Resume
	drained  chan struct{} // closed when closed and idle
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
	p.nfree.Store(int32(n))
	p.global.init()
	p.setID()
	return p
}

// ID reports a number that tells p from the other live pools of the
// process, in 4 bytes where a pointer would take 8: a task can keep it in
// the padding of a 4-byte field. It is never 0. See poolIDs.
func (p *Pool) ID() uint32 { return p.id }

// Size reports the number of slots.
func (p *Pool) Size() int { return len(p.slots) }

// Submit queues t. When hint is a worker of this pool that holds a slot, t
// goes to that slot's deque (it will likely run next on the same goroutine,
// or be stolen by an idle one); otherwise to the shared queue. It returns
// ErrClosed after Close.
func (p *Pool) Submit(t Task, hint *Worker) error {
	if p.closed.Load() {
		return ErrClosed
	}
	var s *Slot
	if hint != nil && hint.pool == p {
		s = hint.slot.Load()
	}
	if s != nil {
		s.local.push(t)
	} else {
		p.global.push(t)
	}
	p.signal()
	return nil
}

// signal starts a goroutine on a free slot, if there is one, after a task
// was pushed onto a deque. The push wrote the deque's size before signal
// reads nfree; a worker going idle writes nfree before it reads the sizes
// (releaseLocked), so one of the two sees the other.
func (p *Pool) signal() {
	if p.nfree.Load() > 0 {
		p.mu.Lock()
		if len(p.free) > 0 && p.queuedAny() {
			p.startLocked(p.popFreeLocked())
		}
		p.mu.Unlock()
	}
}

func (p *Pool) popFreeLocked() *Slot {
	n := len(p.free)
	s := p.free[n-1]
	p.free = p.free[:n-1]
	p.nfree.Add(-1)
	return s
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
	if s := w.slot.Load(); s != nil {
		w.slot.Store(nil)
		p.releaseLocked(s, false)
	}
}

// idleLocked reports whether no task is queued or running: every slot is
// free and no task is waiting with its slot lent out.
func (p *Pool) idleLocked() bool {
	return len(p.free) == len(p.slots) && p.blocked == 0 && !p.queuedAny()
}

// queuedAny reports whether any deque holds a task.
func (p *Pool) queuedAny() bool {
	if !p.global.empty() {
		return true
	}
	for _, s := range p.slots {
		if !s.local.empty() {
			return true
		}
	}
	return false
}

// next returns the next task for w's slot, or nil after giving the slot
// away. (finished is for the step-by-step tests; the loop needs no count
// of tasks in flight.)
func (p *Pool) next(w *Worker, finished bool) Task {
	s := w.slot.Load()
	for {
		if p.nresumers.Load() > 0 {
			p.mu.Lock()
			if len(p.resumers) > 0 {
				w.slot.Store(nil)
				p.releaseLocked(s, false)
				p.mu.Unlock()
				return nil
			}
			p.mu.Unlock()
		}
		if t := p.take(s); t != nil {
			return t
		}
		p.mu.Lock()
		if p.releaseLocked(s, true) {
			p.mu.Unlock()
			continue // work arrived as the slot was freed: keep it
		}
		w.slot.Store(nil)
		p.mu.Unlock()
		return nil
	}
}

// take returns the next task for slot s: its own newest, else the oldest
// of the shared queue (moving a batch of the next oldest to s's deque),
// else the oldest half of another slot's deque.
func (p *Pool) take(s *Slot) Task {
	t, ok := s.local.popBack()
	if !ok {
		var k int
		t, k = p.global.take(&s.local, p.globalBatch)
		for i := 1; k == 0 && i < len(p.slots); i++ {
			t, k = p.slots[(s.id+i)%len(p.slots)].local.take(&s.local, stealBatch)
		}
		if k == 0 {
			return nil
		}
		if k > 1 {
			// The batch was in no deque while it moved: a worker that
			// looked then may have gone idle.
			p.signal()
		}
	}
	return t
}

// globalBatch takes a fair share of the shared queue.
func (p *Pool) globalBatch(n int) int { return min(maxBatch, 1+n/len(p.slots)) }

// stealBatch takes half of another slot's deque.
func stealBatch(n int) int { return min(maxBatch, (n+1)/2) }

// releaseLocked gives away slot s, which no goroutine uses any more: to
// the oldest resuming task, else to the free list. If work is queued once
// the slot is free, it takes the slot back: it reports true when keep is
// set (the caller goes on with s), and otherwise starts a goroutine on it.
func (p *Pool) releaseLocked(s *Slot, keep bool) bool {
	if len(p.resumers) > 0 {
		ch := p.resumers[0]
		p.resumers[0] = nil
		p.resumers = p.resumers[1:]
		p.nresumers.Add(-1)
		ch <- s // buffered: never blocks
		return false
	}
	p.free = append(p.free, s)
	p.nfree.Add(1)
	// A Submit that saw no free slot is seen here: it wrote queued first.
	if !p.queuedAny() {
		if p.drained != nil && p.idleLocked() {
			close(p.drained)
			p.drained = nil
		}
		return false
	}
	s = p.popFreeLocked()
	if keep {
		return true
	}
	p.startLocked(s)
	return false
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
	defer p.mu.Unlock()
	s := w.slot.Load()
	if s == nil {
		return false
	}
	w.slot.Store(nil)
	p.blocked++
	p.releaseLocked(s, false)
	return true
}

// Resume takes a slot back after a Block, waiting for one if none is free.
// Resuming tasks get slots before queued tasks start, oldest first.
func (w *Worker) Resume() {
	p := w.pool
	p.mu.Lock()
	if len(p.free) > 0 {
		w.slot.Store(p.popFreeLocked())
		p.blocked--
		p.mu.Unlock()
		return
	}
	ch := make(chan *Slot, 1)
	p.resumers = append(p.resumers, ch)
	p.nresumers.Add(1)
	p.blocked-- // the slot it waits for is held for it: the pool is not idle
	p.mu.Unlock()
	w.slot.Store(<-ch)
}

// Close stops accepting tasks and waits until every task submitted before
// it has finished. A Submit concurrent with Close may be accepted and run
// after Close returns. It is safe to call more than once. Calling it from a
// task of the same pool deadlocks.
func (p *Pool) Close() {
	p.closed.Store(true)
	p.mu.Lock()
	if p.idleLocked() {
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
func (p *Pool) Closed() bool { return p.closed.Load() }

package sched

import (
	"sync"
	"sync/atomic"
)

// deque is a growable ring buffer of tasks. The owner of a slot pushes and
// pops at the back (LIFO, for locality: the newest task's data is hot);
// thieves and the shared queue take from the front (FIFO, oldest first).
// It is not safe for concurrent use: see lockedDeque.
type deque struct {
	buf  []Task // its length is 0 or a power of two: indices wrap by mask
	head int    // index of the front element
	n    int    // number of elements
}

func (d *deque) len() int { return d.n }

func (d *deque) pushBack(t Task) {
	if d.n == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.n)&(len(d.buf)-1)] = t
	d.n++
}

func (d *deque) popBack() (Task, bool) {
	if d.n == 0 {
		return nil, false
	}
	d.n--
	i := (d.head + d.n) & (len(d.buf) - 1)
	t := d.buf[i]
	d.buf[i] = nil
	return t, true
}

func (d *deque) popFront() (Task, bool) {
	if d.n == 0 {
		return nil, false
	}
	t := d.buf[d.head]
	d.buf[d.head] = nil
	d.head = (d.head + 1) & (len(d.buf) - 1)
	d.n--
	return t, true
}

func (d *deque) grow() {
	size := 2 * len(d.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]Task, size)
	for i := 0; i < d.n; i++ {
		buf[i] = d.buf[(d.head+i)&(len(d.buf)-1)]
	}
	d.buf, d.head = buf, 0
}

// lockedDeque is a deque with its own lock, so the shared queue and each
// slot's deque are contended only by those that use them.
type lockedDeque struct {
	mu sync.Mutex
	d  deque
	// size mirrors d.n, written under mu, so that others can see whether
	// the deque is empty without taking the lock.
	size atomic.Int32
}

// empty reports whether the deque held no task when last written.
func (q *lockedDeque) empty() bool { return q.size.Load() == 0 }

func (q *lockedDeque) push(t Task) {
	q.mu.Lock()
	q.d.pushBack(t)
	q.size.Store(int32(q.d.n))
	q.mu.Unlock()
}

func (q *lockedDeque) popBack() (Task, bool) {
	if q.empty() {
		return nil, false
	}
	q.mu.Lock()
	t, ok := q.d.popBack()
	q.size.Store(int32(q.d.n))
	q.mu.Unlock()
	return t, ok
}

// take removes up to max tasks from the front: the oldest is returned, the
// others are pushed onto into so that into's popBack yields them oldest
// first. It reports how many tasks it removed.
func (q *lockedDeque) take(into *lockedDeque, max func(n int) int) (Task, int) {
	if q.empty() {
		return nil, 0
	}
	q.mu.Lock()
	n := q.d.len()
	if n == 0 {
		q.mu.Unlock()
		return nil, 0
	}
	k := min(n, max(n))
	var batch [maxBatch]Task
	for i := range k {
		batch[i], _ = q.d.popFront()
	}
	q.size.Store(int32(q.d.n))
	q.mu.Unlock()
	into.pushBatch(batch[1:k])
	return batch[0], k
}

// pushBatch pushes ts, oldest first, so that popBack yields them oldest
// first. In transit, a batch is in no deque's size; that is safe because
// the caller holds a slot and will run them.
func (q *lockedDeque) pushBatch(ts []Task) {
	if len(ts) == 0 {
		return
	}
	q.mu.Lock()
	for i := len(ts) - 1; i >= 0; i-- {
		q.d.pushBack(ts[i])
	}
	q.size.Store(int32(q.d.n))
	q.mu.Unlock()
}

// maxBatch bounds how many tasks one take moves.
const maxBatch = 32

package sched

import (
	"sync"
	"sync/atomic"
)

// inbox is the shared queue: tasks submitted from outside the pool, taken
// oldest first. Producers do not lock: a push claims a cell with one
// atomic add on the last segment and publishes the task with one atomic
// store. Consumers take from the front one at a time, under mu, and move
// batches, so they lock once per batch.
//
// A cell that is claimed but not yet published ends what a consumer takes
// and reads as empty: its producer signals the pool after publishing, as
// after any push.
type inbox struct {
	tail atomic.Pointer[segment] // where producers claim cells
	head atomic.Pointer[segment] // the oldest segment not consumed; written under mu
	mu   sync.Mutex
}

// segmentSize is the number of cells in a segment: a push allocates a
// segment once every segmentSize pushes.
const segmentSize = 256

type segment struct {
	claimed atomic.Int32 // cells claimed by producers; may exceed segmentSize
	read    atomic.Int32 // cells consumed; written under inbox.mu
	next    atomic.Pointer[segment]
	tasks   [segmentSize]Task
	ready   [segmentSize]atomic.Bool // tasks[i] is written; then it belongs to the consumers
}

func (q *inbox) init() {
	s := new(segment)
	q.head.Store(s)
	q.tail.Store(s)
}

// push appends t. Its last write, the cell's ready flag, is sequentially
// consistent: signal's load of the free slots comes after it.
func (q *inbox) push(t Task) {
	s, i := q.claim()
	s.tasks[i] = t
	s.ready[i].Store(true)
}

// claim reserves the next cell for a push.
func (q *inbox) claim() (*segment, int32) {
	for {
		s := q.tail.Load()
		if i := s.claimed.Add(1) - 1; i < segmentSize {
			return s, i
		}
		// s is full: move the tail on, making the next segment if no
		// other producer has.
		next := s.next.Load()
		if next == nil {
			if n := new(segment); s.next.CompareAndSwap(nil, n) {
				next = n
			} else {
				next = s.next.Load()
			}
		}
		q.tail.CompareAndSwap(s, next)
	}
}

// empty reports whether the oldest task not taken is unpublished or absent.
func (q *inbox) empty() bool {
	s := q.head.Load()
	for {
		r := s.read.Load()
		if r < segmentSize {
			return !s.ready[r].Load()
		}
		if s = s.next.Load(); s == nil {
			return true
		}
	}
}

// take removes up to max(n) published tasks from the front, n being about
// how many are queued: the oldest is returned, the others are pushed onto
// into so that into's popBack yields them oldest first. It reports how many
// tasks it removed.
func (q *inbox) take(into *lockedDeque, max func(n int) int) (Task, int) {
	if q.empty() {
		return nil, 0
	}
	q.mu.Lock()
	s := q.head.Load()
	r := s.read.Load()
	n := int(min(s.claimed.Load(), segmentSize) - r)
	if s.next.Load() != nil {
		n += segmentSize // at least: enough to size a fair share
	}
	want := min(maxBatch, max(n))
	var batch [maxBatch]Task
	k := 0
	for k < want {
		if r == segmentSize {
			next := s.next.Load()
			if next == nil {
				break
			}
			s.read.Store(r) // before head moves: empty reads a stale head
			s, r = next, next.read.Load()
			q.head.Store(s)
			continue
		}
		if !s.ready[r].Load() {
			break
		}
		batch[k], s.tasks[r] = s.tasks[r], nil
		k++
		r++
	}
	s.read.Store(r)
	q.mu.Unlock()
	if k == 0 {
		return nil, 0
	}
	into.pushBatch(batch[1:k])
	return batch[0], k
}

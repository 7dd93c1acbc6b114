package cluster

import "sync"

// slots bounds the tasks a worker runs at once: a counting semaphore whose
// waiters are served first come, first served, and which tells the fetch
// loop how many more tasks to ask the queue for.
//
// A task takes a slot to run and gives it back when done; while it waits on
// sub-tasks it lends the slot (release) and takes one back after (acquire),
// so a worker of one slot runs nested tasks to any depth. Tasks the loop
// fetched but that have not yet taken their slot are promised: idle does
// not count them as free.
type slots struct {
	mu       sync.Mutex
	size     int
	held     int
	promised int
	waiters  []chan struct{}
	freed    chan struct{} // signalled (not closed) when a slot comes free
}

func newSlots(k int) *slots { return &slots{size: k, freed: make(chan struct{}, 1)} }

// promise records that the fetch loop got a task that will take a slot.
func (s *slots) promise() {
	s.mu.Lock()
	s.promised++
	s.mu.Unlock()
}

// unpromise drops a promise for a task that will not run.
func (s *slots) unpromise() {
	s.mu.Lock()
	s.promised--
	s.mu.Unlock()
	s.signal()
}

// acquire takes a slot, waiting for one unless done is closed first; it
// reports whether it took one. kept says whether it redeems a promise of
// the fetch loop.
func (s *slots) acquire(kept bool, done <-chan struct{}) bool {
	s.mu.Lock()
	if kept {
		s.promised--
	}
	if s.held < s.size && len(s.waiters) == 0 {
		s.held++
		s.mu.Unlock()
		return true
	}
	ch := make(chan struct{})
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	select {
	case <-ch: // release handed its slot over
		return true
	case <-done:
	}
	s.mu.Lock()
	for i, w := range s.waiters {
		if w == ch {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			s.mu.Unlock()
			s.signal() // one waiter fewer: the fetch loop may take more
			return false
		}
	}
	s.mu.Unlock()
	// A slot was handed over as done closed: give it back.
	s.release()
	return false
}

// release gives a slot back, to the longest waiter if any.
func (s *slots) release() {
	s.mu.Lock()
	if len(s.waiters) > 0 {
		ch := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.mu.Unlock()
		close(ch)
		return
	}
	s.held--
	s.mu.Unlock()
	s.signal()
}

// idle returns how many more tasks the worker could start now.
func (s *slots) idle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size - s.held - len(s.waiters) - s.promised
}

func (s *slots) signal() {
	select {
	case s.freed <- struct{}{}:
	default:
	}
}

package cluster

import (
	"testing"
	"time"
)

func TestSlots(t *testing.T) {
	s := newSlots(2)
	if got := s.idle(); got != 2 {
		t.Fatalf("idle = %d; want 2", got)
	}
	s.promise()
	if got := s.idle(); got != 1 {
		t.Fatalf("idle after a promise = %d; want 1", got)
	}
	if !s.acquire(true, nil) || !s.acquire(false, nil) {
		t.Fatal("acquire failed with free slots")
	}
	if got := s.idle(); got != 0 {
		t.Fatalf("idle with both slots held = %d; want 0", got)
	}

	// A waiter gets the next slot released, before the fetch loop.
	got := make(chan bool)
	go func() { got <- s.acquire(false, nil) }()
	waitFor(t, func() bool { return s.idle() == -1 })
	s.release()
	if !<-got {
		t.Fatal("waiter did not get the released slot")
	}
	select {
	case <-s.freed:
		t.Fatal("a slot handed to a waiter was signalled as free")
	default:
	}

	// A waiter that gives up leaves no trace.
	done := make(chan struct{})
	go func() { got <- s.acquire(false, done) }()
	waitFor(t, func() bool { return s.idle() == -1 })
	close(done)
	if <-got {
		t.Fatal("acquire took a slot after done was closed")
	}
	if got := s.idle(); got != 0 {
		t.Fatalf("idle after an abandoned wait = %d; want 0", got)
	}
	s.release()
	<-s.freed
	s.release()
	if got := s.idle(); got != 2 {
		t.Fatalf("idle after releasing all = %d; want 2", got)
	}
}

// TestSlotsLend is a depth-3 chain of tasks on one slot, each lending its
// slot while it waits for the next.
func TestSlotsLend(t *testing.T) {
	s := newSlots(1)
	var run func(depth int)
	run = func(depth int) {
		if depth == 0 {
			return
		}
		s.release() // Block: lend the slot to the child
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.acquire(false, nil)
			run(depth - 1)
			s.release()
		}()
		<-done
		s.acquire(false, nil) // Resume
	}
	s.acquire(false, nil)
	finished := make(chan struct{})
	go func() {
		run(3)
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("nested tasks on one slot deadlocked")
	}
	s.release()
	if got := s.idle(); got != 1 {
		t.Fatalf("idle = %d; want 1", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached after 5s")
		}
	}
}

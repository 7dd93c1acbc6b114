package sched

import (
	"sync"
	"testing"
)

func newInbox() *inbox {
	q := new(inbox)
	q.init()
	return q
}

// drain takes everything from q in batches of at most batch, returning
// the tasks in the order a worker would run them.
func drain(q *inbox, batch int) []Task {
	var out []Task
	var local lockedDeque
	for {
		t, k := q.take(&local, func(int) int { return batch })
		if k == 0 {
			return out
		}
		out = append(out, t)
		for {
			t, ok := local.popBack()
			if !ok {
				break
			}
			out = append(out, t)
		}
	}
}

// Pushes across several segments come out oldest first, in batches of
// any size, and the consumed segments are left behind.
func TestInboxFIFOAcrossSegments(t *testing.T) {
	for _, batch := range []int{1, 7, maxBatch} {
		q := newInbox()
		const n = 3*segmentSize + 5
		for i := range n {
			q.push(intTask(i))
		}
		got := drain(q, batch)
		if len(got) != n {
			t.Fatalf("batch %d: took %d tasks, want %d", batch, len(got), n)
		}
		for i, task := range got {
			if task != intTask(i) {
				t.Fatalf("batch %d: task %d is %v, want %d", batch, i, task, i)
			}
		}
		if !q.empty() {
			t.Errorf("batch %d: not empty after draining", batch)
		}
		if h, tl := q.head.Load(), q.tail.Load(); h != tl {
			t.Errorf("batch %d: head segment is not the tail once drained", batch)
		}
	}
}

// A cell claimed but not yet published reads as empty and stops a take;
// once published, it and the cells after it come out in order.
func TestInboxUnpublishedCellEndsTake(t *testing.T) {
	q := newInbox()
	q.push(intTask(0))
	s, i := q.claim() // a producer between its claim and its publish
	q.push(intTask(2))
	if got := drain(q, maxBatch); len(got) != 1 || got[0] != intTask(0) {
		t.Fatalf("took %v before the publish, want [0]", got)
	}
	if !q.empty() {
		t.Error("empty = false with the oldest cell unpublished")
	}
	s.tasks[i] = intTask(1)
	s.ready[i].Store(true)
	if q.empty() {
		t.Error("empty = true after the publish")
	}
	if got := drain(q, maxBatch); len(got) != 2 || got[0] != intTask(1) || got[1] != intTask(2) {
		t.Errorf("took %v after the publish, want [1 2]", got)
	}
}

// The same at a segment's end: the claim that fills a segment is not
// published while later pushes go to the next one.
func TestInboxUnpublishedLastCell(t *testing.T) {
	q := newInbox()
	for i := range segmentSize - 1 {
		q.push(intTask(i))
	}
	s, i := q.claim()
	q.push(intTask(segmentSize))
	got := drain(q, maxBatch)
	if len(got) != segmentSize-1 {
		t.Fatalf("took %d tasks before the publish, want %d", len(got), segmentSize-1)
	}
	s.tasks[i] = intTask(segmentSize - 1)
	s.ready[i].Store(true)
	got = drain(q, maxBatch)
	if len(got) != 2 || got[0] != intTask(segmentSize-1) || got[1] != intTask(segmentSize) {
		t.Errorf("took %v after the publish, want [%d %d]", got, segmentSize-1, segmentSize)
	}
}

type seqTask struct{ producer, seq int }

func (seqTask) Run(*Worker) {}

// Concurrent producers and consumers: every task is taken once, and each
// producer's tasks come out in the order it pushed them.
func TestInboxConcurrent(t *testing.T) {
	q := newInbox()
	const producers, each, consumers = 4, 3000, 2
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				q.push(seqTask{p, i})
			}
		})
	}
	done := make(chan struct{})
	results := make([][]Task, consumers)
	var cwg sync.WaitGroup
	for c := range consumers {
		cwg.Go(func() {
			for {
				select {
				case <-done:
					results[c] = append(results[c], drain(q, 1+c*5)...)
					return
				default:
					results[c] = append(results[c], drain(q, 1+c*5)...)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	cwg.Wait()
	seen := make(map[seqTask]bool)
	for c, r := range results {
		last := make([]int, producers)
		for i := range last {
			last[i] = -1
		}
		for _, task := range r {
			st := task.(seqTask)
			if seen[st] {
				t.Fatalf("task %v taken twice", st)
			}
			seen[st] = true
			if st.seq <= last[st.producer] {
				t.Fatalf("consumer %d took %v after seq %d of the same producer", c, st, last[st.producer])
			}
			last[st.producer] = st.seq
		}
	}
	if len(seen) != producers*each {
		t.Errorf("took %d distinct tasks, want %d", len(seen), producers*each)
	}
}

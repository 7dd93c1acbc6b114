package sched_test

import (
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal/internal/sched"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// logTask appends its name to a log when it runs, then calls fn.
type logTask struct {
	name string
	log  *[]string
	fn   func(w *sched.Worker)
}

func (t *logTask) Run(w *sched.Worker) {
	*t.log = append(*t.log, t.name)
	if t.fn != nil {
		t.fn(w)
	}
}

func task(log *[]string, name string, fn func(w *sched.Worker)) sched.Task {
	return &logTask{name: name, log: log, fn: fn}
}

// funcTask is a task that only calls its function, safe to run concurrently.
type funcTask func(w *sched.Worker)

func (f funcTask) Run(w *sched.Worker) { f(w) }

func mustSubmit(t *testing.T, p *sched.Pool, task sched.Task, hint *sched.Worker) {
	t.Helper()
	if err := p.Submit(task, hint); err != nil {
		t.Fatalf("Submit: %v", err)
	}
}

func TestSubmitStartsOneWorkerPerFreeSlot(t *testing.T) {
	p, started := sched.NewManual(2)
	var log []string
	for _, name := range []string{"a", "b", "c"} {
		mustSubmit(t, p, task(&log, name, nil), nil)
	}
	if got := len(*started); got != 2 {
		t.Fatalf("started %d workers for 3 tasks on 2 slots, want 2", got)
	}
	ids := []int{(*started)[0].Slot().ID(), (*started)[1].Slot().ID()}
	if !slices.Equal(ids, []int{0, 1}) {
		t.Errorf("worker slots = %v, want [0 1]", ids)
	}
	if p.FreeSlots() != 0 {
		t.Errorf("free slots = %d, want 0", p.FreeSlots())
	}
	// The first worker drains the shared queue in FIFO order and frees its slot.
	p.Loop((*started)[0])
	if want := []string{"a", "b", "c"}; !slices.Equal(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if (*started)[0].Slot() != nil || p.FreeSlots() != 1 {
		t.Errorf("after the queue drained: worker slot %v, free %d; want nil, 1", (*started)[0].Slot(), p.FreeSlots())
	}
	p.Loop((*started)[1]) // nothing left: gives its slot up at once
	if p.FreeSlots() != 2 {
		t.Errorf("free slots = %d, want 2", p.FreeSlots())
	}
	p.Close()
}

func TestLocalLIFOSharedFIFOAndStealing(t *testing.T) {
	p, started := sched.NewManual(2)
	var log []string
	// A task on slot 0 spawns three children onto its own deque.
	parent := task(&log, "parent", func(w *sched.Worker) {
		for _, name := range []string{"c1", "c2", "c3"} {
			mustSubmit(t, p, task(&log, name, nil), w)
		}
	})
	mustSubmit(t, p, parent, nil)
	if len(*started) != 1 {
		t.Fatalf("started %d workers, want 1", len(*started))
	}
	w0 := (*started)[0]
	if got := p.Next(w0, false); got != parent {
		t.Fatalf("first task = %v, want parent", got)
	}
	parent.Run(w0)
	// The children's submissions started a second worker on the free slot.
	if len(*started) != 2 {
		t.Fatalf("started %d workers, want 2", len(*started))
	}
	w1 := (*started)[1]
	// w1 steals the oldest child; w0 pops its newest.
	p.Next(w1, false).Run(w1)
	p.Next(w0, true).Run(w0)
	p.Next(w0, true).Run(w0)
	if want := []string{"parent", "c1", "c3", "c2"}; !slices.Equal(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if p.Next(w0, true) != nil || p.Next(w1, true) != nil {
		t.Error("tasks left after all ran")
	}
	p.Close()
}

func TestBlockLendsSlotAndResumeTakesPriority(t *testing.T) {
	p, started := sched.NewManual(1)
	var log []string
	mustSubmit(t, p, task(&log, "waiter", nil), nil)
	w0 := (*started)[0]
	if got := p.Next(w0, false); got == nil {
		t.Fatal("no task for the first worker")
	}
	// w0 now runs "waiter", which queues work and blocks.
	mustSubmit(t, p, task(&log, "queued1", nil), w0)
	mustSubmit(t, p, task(&log, "queued2", nil), w0)
	if !w0.Block() {
		t.Fatal("Block on a worker holding a slot returned false")
	}
	if w0.Block() {
		t.Fatal("second Block returned true: the slot was lent twice")
	}
	if len(*started) != 2 {
		t.Fatalf("Block with queued work started %d workers in all, want 2", len(*started))
	}
	w1 := (*started)[1]
	if w1.Slot() == nil || w1.Slot().ID() != 0 {
		t.Fatalf("lent slot went to %v, want slot 0", w1.Slot())
	}
	// w1 runs the newest queued task of the slot it got; then the waiter
	// asks for its slot back.
	p.Next(w1, false).Run(w1)
	resumed := make(chan struct{})
	go func() {
		w0.Resume()
		close(resumed)
	}()
	for p.Resumers() == 0 {
		runtime.Gosched() // wait until the goroutine is queued in Resume
	}
	// On finishing its task, w1 hands the slot to the resumer instead of
	// starting queued2.
	if got := p.Next(w1, true); got != nil {
		t.Fatalf("worker took %v while a task waited to resume", got)
	}
	<-resumed
	if w0.Slot() == nil || w1.Slot() != nil {
		t.Fatalf("after resume: waiter slot %v, lender slot %v", w0.Slot(), w1.Slot())
	}
	// The waiter finishes, then its goroutine runs what is left.
	p.Next(w0, true).Run(w0)
	if want := []string{"queued2", "queued1"}; !slices.Equal(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if p.Next(w0, true) != nil || p.FreeSlots() != 1 {
		t.Errorf("free slots %d after all ran, want 1", p.FreeSlots())
	}
	p.Close()
}

func TestBlockWithoutWorkFreesSlotAndResumeTakesIt(t *testing.T) {
	p, started := sched.NewManual(1)
	var log []string
	mustSubmit(t, p, task(&log, "a", nil), nil)
	w0 := (*started)[0]
	p.Next(w0, false)
	if !w0.Block() {
		t.Fatal("Block returned false")
	}
	if len(*started) != 1 || p.FreeSlots() != 1 {
		t.Fatalf("Block with nothing queued: %d workers, %d free; want 1, 1", len(*started), p.FreeSlots())
	}
	w0.Resume() // a free slot: returns at once
	if w0.Slot() == nil || p.FreeSlots() != 0 {
		t.Fatalf("Resume: slot %v, free %d", w0.Slot(), p.FreeSlots())
	}
	if p.Next(w0, true) != nil {
		t.Fatal("unexpected task")
	}
	var nilWorker *sched.Worker
	if nilWorker.Block() {
		t.Error("Block on a nil worker returned true")
	}
	p.Close()
}

func TestCloseWaitsAndRejects(t *testing.T) {
	p := sched.New(2)
	release := make(chan struct{})
	var ran atomic.Int32
	for range 4 {
		mustSubmit(t, p, funcTask(func(*sched.Worker) {
			<-release
			ran.Add(1)
		}), nil)
	}
	closed := make(chan struct{})
	go func() {
		p.Close()
		close(closed)
	}()
	for !p.Closed() {
		runtime.Gosched()
	}
	if err := p.Submit(funcTask(nil), nil); !errors.Is(err, sched.ErrClosed) {
		t.Errorf("Submit after Close = %v, want ErrClosed", err)
	}
	select {
	case <-closed:
		t.Fatal("Close returned while tasks were still running")
	default:
	}
	close(release)
	<-closed
	if ran.Load() != 4 {
		t.Errorf("%d tasks ran before Close returned, want 4", ran.Load())
	}
	p.Close() // twice is fine
}

func TestGoexitPassesTheSlotOn(t *testing.T) {
	p := sched.New(1)
	done := make(chan struct{})
	mustSubmit(t, p, funcTask(func(*sched.Worker) { runtime.Goexit() }), nil)
	mustSubmit(t, p, funcTask(func(*sched.Worker) { close(done) }), nil)
	<-done
	p.Close()
}

func TestNewRejectsZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(0) did not panic")
		}
	}()
	sched.New(0)
}

// Submitters racing workers that go idle: no task is ever left queued with
// a free slot and no goroutine. Each round waits for its tasks, so a
// stranded task fails the round instead of being picked up by the next.
func TestSubmitRacesIdleWorkers(t *testing.T) {
	for _, n := range []int{1, 2} {
		submitRacesIdleWorkers(t, n)
	}
}

func submitRacesIdleWorkers(t *testing.T, slots int) {
	p := sched.New(slots)
	const rounds, producers, each = 3000, 2, 2
	for round := range rounds {
		var wg sync.WaitGroup
		wg.Add(producers * each)
		for range producers {
			go func() {
				for range each {
					if err := p.Submit(funcTask(func(*sched.Worker) { wg.Done() }), nil); err != nil {
						t.Error(err)
						wg.Done()
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			// (No Close: it would wait for the stranded task.)
			t.Fatalf("%d slots, round %d: tasks left queued with no worker", slots, round)
		}
	}
	p.Close()
}

// Live pools never share an ID, and an unreachable pool's ID comes back
// for a new pool to take.
func TestPoolIDs(t *testing.T) {
	pools := make([]*sched.Pool, 100)
	seen := map[uint32]bool{}
	for i := range pools {
		pools[i] = sched.New(1)
		id := pools[i].ID()
		if id == 0 || seen[id] {
			t.Fatalf("pool %d got ID %d, zero or taken by a live pool", i, id)
		}
		seen[id] = true
	}
	id := pools[50].ID()
	pools[50] = nil
	// The cleanup that gives the ID back runs after a collection, on
	// another goroutine: collect until it has, a bounded number of times.
	for i := 0; !sched.PoolIDFree(id); i++ {
		if i == 1000 {
			t.Fatalf("ID %d of an unreachable pool was not given back", id)
		}
		runtime.GC()
		runtime.Gosched()
	}
	delete(seen, id)
	if got := sched.New(1).ID(); got == 0 || seen[got] {
		t.Errorf("new pool got ID %d, zero or taken by a live pool", got)
	}
	runtime.KeepAlive(pools)
}

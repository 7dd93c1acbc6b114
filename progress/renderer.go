package progress

import (
	"sync"
	"sync/atomic"
	"time"
)

// reg is the process-wide registry: the configuration and the renderer that
// live bars belong to.
var reg struct {
	mu   sync.Mutex
	cfg  Config
	cur  *renderer // receives new bars; nil while no bar is live
	prev *renderer // the last renderer to close, until its goroutine exits
}

// A drawer draws bars for one renderer. Its methods are called from the
// renderer goroutine only.
type drawer interface {
	add(b *Bar)
	finish(b *Bar) // b.final and b.elapsed are set
	tick(now time.Time)
	next(now time.Time) time.Duration // time until tick has work to do
	close()                           // draw the final state and release resources
}

// A renderer owns one goroutine that draws the bars started between the
// moment no bar was live and the moment none is live again.
type renderer struct {
	s       settings
	wakeC   chan struct{} // capacity 1: a pending wake-up
	exited  chan struct{} // closed when run returns
	after   *renderer     // previous renderer, whose output must come first
	stalled atomic.Bool   // a Finish timed out; cleared when run loops again

	// Guarded by reg.mu.
	live     int
	closing  bool
	added    []*Bar
	finished []*Bar
}

func newRenderer(s settings, after *renderer) *renderer {
	return &renderer{
		s:      s,
		wakeC:  make(chan struct{}, 1),
		exited: make(chan struct{}),
		after:  after,
	}
}

// wake asks the renderer goroutine to look at added and finished bars.
func (r *renderer) wake() {
	select {
	case r.wakeC <- struct{}{}:
	default:
	}
}

// finish hands b, whose final state is set, to the renderer.
func (r *renderer) finish(b *Bar) {
	reg.mu.Lock()
	r.finished = append(r.finished, b)
	r.live--
	if r.live == 0 {
		r.closing = true
		if reg.cur == r {
			reg.cur = nil
			reg.prev = r
		}
	}
	reg.mu.Unlock()
	r.wake()
}

// take swaps the pending bars for the emptied buffers a and f.
func (r *renderer) take(a, f []*Bar) (added, finished []*Bar, closing bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	added, r.added = r.added, a
	finished, r.finished = r.finished, f
	return added, finished, r.closing
}

// run is the renderer goroutine. It exits once the last bar has finished and
// been drawn.
func (r *renderer) run() {
	if r.after != nil {
		<-r.after.exited // keep generations from drawing over each other
	}
	var d drawer
	if r.s.terminal {
		d = newTermDrawer(r.s)
	} else {
		d = newPlainDrawer(r.s)
	}
	timer := time.NewTimer(r.s.interval)
	defer timer.Stop()

	var added, finished []*Bar
	for {
		clear(added)
		clear(finished)
		var closing bool
		added, finished, closing = r.take(added[:0], finished[:0])
		for _, b := range added {
			d.add(b)
		}
		for _, b := range finished {
			d.finish(b)
		}
		if closing {
			d.close()
			r.exit(finished)
			return
		}
		for _, b := range finished {
			close(b.written)
		}
		r.stalled.Store(false)

		now := r.s.now()
		d.tick(now)
		timer.Reset(d.next(now))
		select {
		case <-r.wakeC:
		case <-timer.C:
		}
	}
}

// exit unregisters r, then releases the Finish calls waiting for the bars in
// finished, so that a bar started after the last Finish returns never waits
// for r.
func (r *renderer) exit(finished []*Bar) {
	reg.mu.Lock()
	if reg.prev == r {
		reg.prev = nil
	}
	reg.mu.Unlock()
	close(r.exited)
	for _, b := range finished {
		close(b.written)
	}
}

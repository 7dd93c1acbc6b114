package progress

import (
	"sync/atomic"
	"time"
)

// finishTimeout bounds how long Finish waits for the renderer.
const finishTimeout = 2 * time.Second

// Bar counts units of work done out of a total. All methods are safe for
// concurrent use. A nil *Bar ignores every call (Done reports 0), so code can
// report progress whether or not a bar was started. The zero Bar counts but
// is never drawn; use [Start].
type Bar struct {
	done     atomic.Int64
	total    atomic.Int64 // < 0: unknown
	finished atomic.Bool

	// Immutable after Start.
	label   string
	path    string // label prefixed by the parents' labels: "assets/traders"
	depth   int
	parent  *Bar
	r       *renderer
	start   time.Time
	written chan struct{} // closed once the final state is drawn

	// Set by the first Finish before the bar is handed to the renderer.
	final   int64
	elapsed time.Duration
}

// Start begins a bar labelled label with total units of work; a negative total
// means the total is unknown (count and rate are shown, see [Bar.SetTotal]).
//
// parent may be nil, for a top-level bar, or another live bar: the new bar is
// then drawn nested under it (indented in terminal mode, prefixed with the
// parent's label path in plain mode) and removed from the screen when it
// finishes, while a top-level bar stays on screen. See the package
// documentation for what plain mode prints for nested bars.
//
// The first bar started while no other bar is live starts the process-wide
// renderer goroutine, with the configuration given to [Configure]. Start
// takes a package-wide lock and allocates; it never waits for drawing.
// Every started bar must be finished with [Bar.Finish], or the renderer
// keeps running.
func Start(label string, total int, parent *Bar) *Bar {
	b := &Bar{
		label:   label,
		path:    label,
		parent:  parent,
		written: make(chan struct{}),
	}
	if parent != nil {
		b.path = parent.path + "/" + label
		b.depth = parent.depth + 1
	}
	b.total.Store(int64(total))

	reg.mu.Lock()
	r := reg.cur
	if r == nil {
		r = newRenderer(reg.cfg.settings(), reg.prev)
		reg.cur = r
		go r.run()
	}
	r.live++
	b.r = r
	b.start = r.s.now()
	r.added = append(r.added, b)
	reg.mu.Unlock()

	r.wake()
	return b
}

// Add adds n units of work done; n may be negative to correct an earlier
// count. It is a single atomic addition: it never blocks, takes no lock and
// does not allocate, so it can be called per item from many goroutines. The
// renderer picks the count up on its next refresh. Add after Finish still
// counts (see Done) but is not drawn.
func (b *Bar) Add(n int) {
	if b == nil {
		return
	}
	b.done.Add(int64(n))
}

// SetTotal sets the total, for instance when a stream's input ends and the
// number of items becomes known; a negative total makes it unknown again. It
// is an atomic store and never blocks.
func (b *Bar) SetTotal(total int) {
	if b == nil {
		return
	}
	b.total.Store(int64(total))
}

// Done returns the units of work added so far. It is an atomic load.
func (b *Bar) Done() int {
	if b == nil {
		return 0
	}
	return int(b.done.Load())
}

// Finish ends the bar, whether its work completed or was abandoned: the count
// at the first call is drawn as the bar's final state. Finish is idempotent;
// every call blocks until that final state has been written to the output
// (for the last live bar, until the renderer has drawn its last frame and
// stopped), but never longer than about two seconds: if the output blocks,
// Finish gives up waiting and later calls don't wait until the renderer
// catches up.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	if b.finished.CompareAndSwap(false, true) && b.r != nil {
		b.final = b.done.Load()
		b.elapsed = b.r.s.now().Sub(b.start)
		b.r.finish(b)
	}
	b.wait()
}

// wait blocks until b's final state is written, within finishTimeout.
func (b *Bar) wait() {
	if b.written == nil {
		return
	}
	select {
	case <-b.written:
		return
	default:
	}
	if b.r.stalled.Load() {
		return
	}
	t := time.NewTimer(finishTimeout)
	defer t.Stop()
	select {
	case <-b.written:
	case <-t.C:
		b.r.stalled.Store(true)
	}
}

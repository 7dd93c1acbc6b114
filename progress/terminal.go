package progress

import (
	"slices"
	"strings"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// termDrawer draws bars in place with mpb. mpb's own goroutines redraw every
// refresh period; tick copies the counts from the Bars' atomics into mpb, so
// that Bar.Add never touches mpb's channels.
type termDrawer struct {
	p     *mpb.Progress
	now   func() time.Time
	roots []*termBar        // top-level bars, in start order
	bars  map[*Bar]*termBar // bars on screen, finished top-level ones included
	wait  time.Duration     // refresh period
}

type termBar struct {
	b        *Bar
	mb       *mpb.Bar
	parent   *termBar
	children []*termBar // nested bars on screen, in start order
	prio     int        // mpb priority: the bar's row, from the top
	done     int64      // count last given to mb
	total    int64      // total last given to mb; mb's starts at 0
	finished bool
}

func newTermDrawer(s settings) *termDrawer {
	return &termDrawer{
		p: mpb.New(
			mpb.WithOutput(s.out),
			mpb.WithWidth(s.width),
			mpb.WithRefreshRate(s.refresh),
			mpb.WithAutoRefresh(), // also when Output is not a terminal
		),
		now:  s.now,
		bars: make(map[*Bar]*termBar),
		wait: s.refresh,
	}
}

func (d *termDrawer) add(b *Bar) {
	t := &termBar{b: b, prio: -1}
	for p := b.parent; p != nil; p = p.parent {
		if pt, ok := d.bars[p]; ok {
			t.parent = pt
			break
		}
	}
	if t.parent != nil {
		t.parent.children = append(t.parent.children, t)
	} else {
		d.roots = append(d.roots, t)
	}
	d.bars[b] = t
	d.reorder()

	// mpb completes a bar with a positive total as soon as its count reaches
	// it, and then ignores SetTotal. Start every bar at 0 instead and
	// complete it in finish.
	opts := append(d.decorators(b), mpb.BarPriority(t.prio))
	if b.parent != nil {
		opts = append(opts, mpb.BarRemoveOnComplete())
	}
	mb, err := d.p.Add(0, mpb.BarStyle().Build(), opts...)
	if err != nil {
		return // p has shut down; cannot happen while b is live
	}
	t.mb = mb
	d.push(t)
}

// reorder numbers the bars on screen depth first, so that each nested bar is
// drawn under its parent, after its earlier siblings and their children.
func (d *termDrawer) reorder() {
	i := 0
	var walk func([]*termBar)
	walk = func(ts []*termBar) {
		for _, t := range ts {
			if t.prio != i {
				t.prio = i
				if t.mb != nil {
					t.mb.SetPriority(i)
				}
			}
			i++
			walk(t.children)
		}
	}
	walk(d.roots)
}

// push gives mb the Bar's current count and total, if they changed.
func (d *termDrawer) push(t *termBar) {
	if total := t.b.total.Load(); total >= 0 && total != t.total {
		t.mb.SetTotal(total, false)
		t.total = total
	}
	if done := max(t.b.done.Load(), 0); done != t.done {
		t.mb.SetCurrent(done)
		t.done = done
	}
}

func (d *termDrawer) finish(b *Bar) {
	t, ok := d.bars[b]
	if !ok || t.finished {
		return
	}
	t.finished = true
	if t.mb != nil {
		t.mb.SetCurrent(max(b.final, 0))
		if total := b.total.Load(); total < 0 || b.final >= total {
			t.mb.SetTotal(-1, true) // total = count: complete
		} else {
			t.mb.Abort(b.parent != nil) // stays short of its total
		}
	}
	if b.parent == nil {
		return // top-level bars stay on screen
	}
	// mpb removes the bar; move its children (if any are still live) up.
	siblings := &d.roots
	if t.parent != nil {
		siblings = &t.parent.children
	}
	for i, s := range *siblings {
		if s == t {
			for _, c := range t.children {
				c.parent = t.parent
			}
			*siblings = slices.Replace(*siblings, i, i+1, t.children...)
			break
		}
	}
	delete(d.bars, b)
	if len(t.children) > 0 {
		d.reorder()
	}
}

func (d *termDrawer) tick(time.Time) {
	for _, t := range d.bars {
		if !t.finished && t.mb != nil {
			d.push(t)
		}
	}
}

func (d *termDrawer) next(time.Time) time.Duration { return d.wait }

// close waits for mpb to draw the final frame and stop its goroutines. Every
// bar is complete or aborted by then.
func (d *termDrawer) close() { d.p.Wait() }

// decorators draws a bar as
//
//	assets          12/20 [=======>-----------]  60%  3.1/s  ETA 3s
//	  traders        3/10 [===>---------------]  30%  1.0/s  ETA 7s
//
// with the columns aligned across bars, and "in 6.4s" in place of the ETA once
// the bar has finished.
func (d *termDrawer) decorators(b *Bar) []mpb.BarOption {
	ended := func(s decor.Statistics) bool { return s.Completed || s.Aborted }
	elapsed := func(s decor.Statistics) time.Duration {
		if ended(s) {
			return b.elapsed // set before the bar was completed or aborted
		}
		return d.now().Sub(b.start)
	}
	text := func(f func(dst []byte, s decor.Statistics) []byte) decor.DecorFunc {
		return func(s decor.Statistics) string { return string(f(nil, s)) }
	}
	return []mpb.BarOption{
		mpb.PrependDecorators(
			decor.Name(strings.Repeat("  ", b.depth)+b.label, decor.WCSyncSpaceR),
			decor.Any(text(func(dst []byte, s decor.Statistics) []byte {
				return appendCounts(dst, s.Current, b.total.Load())
			}), decor.WCSyncWidth),
		),
		mpb.AppendDecorators(
			decor.Any(text(func(dst []byte, s decor.Statistics) []byte {
				if total := b.total.Load(); total >= 0 {
					return appendPercent(dst, s.Current, total)
				}
				return dst
			}), decor.WCSyncSpace),
			decor.Any(text(func(dst []byte, s decor.Statistics) []byte {
				return appendRate(dst, s.Current, elapsed(s))
			}), decor.WCSyncSpace),
			decor.Any(text(func(dst []byte, s decor.Statistics) []byte {
				if ended(s) {
					return appendElapsed(append(dst, " in "...), elapsed(s))
				}
				if total := b.total.Load(); total >= 0 && s.Current > 0 {
					return appendETA(append(dst, " ETA "...), s.Current, total, elapsed(s))
				}
				return dst
			}), decor.WCSyncWidthR),
		),
	}
}

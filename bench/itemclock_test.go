package bench

import (
	"math"
	"slices"
	"testing"
	"time"
)

// itemClock records when each item of one map (or one sequential loop)
// started and ended. Items write only their own entries, and the map's
// return orders those writes before anyone reads them.
type itemClock struct {
	start, end []time.Time
}

func newItemClock(n int) *itemClock {
	return &itemClock{start: make([]time.Time, n), end: make([]time.Time, n)}
}

// time runs item i's work f and records its start and end.
func (c *itemClock) time(i int, f func()) {
	c.start[i] = time.Now()
	f()
	c.end[i] = time.Now()
}

// busy returns the items' summed run time.
func (c *itemClock) busy() time.Duration {
	var d time.Duration
	for i := range c.start {
		d += c.end[i].Sub(c.start[i])
	}
	return d
}

// endIdle returns how much core time the map left unused once the cores
// ran out of items: for each of the procs cores, the time from the end of
// its last item to the end of the map's last item. Which items ran one
// after the other on a core is read off the times: an item that starts
// once all procs cores are taken follows the latest item to have ended by
// then that no other item follows yet. The items no other item follows
// are the cores' last ones.
func (c *itemClock) endIdle(procs int) time.Duration {
	order := make([]int, len(c.start))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return c.start[a].Compare(c.start[b]) })
	followed := make([]bool, len(order))
	for k, i := range order {
		if k < procs {
			continue // a core's first item
		}
		prev := -1
		for _, j := range order[:k] {
			if !followed[j] && !c.end[j].After(c.start[i]) && (prev < 0 || c.end[j].After(c.end[prev])) {
				prev = j
			}
		}
		if prev >= 0 {
			followed[prev] = true
		}
	}
	var last time.Time
	for _, e := range c.end {
		if e.After(last) {
			last = e
		}
	}
	var idle time.Duration
	for i, f := range followed {
		if !f {
			idle += last.Sub(c.end[i])
		}
	}
	return idle
}

// mapAccount adds up where the time of a benchmark's parallel maps went,
// against the sequential loops of the same iterations: a map's speedup is
// procs × busy ÷ (an item's time in the map ÷ its time alone).
type mapAccount struct {
	procs         int
	par, seq      *itemClock // the clocks of the run in progress
	wall          time.Duration
	parBusy, idle time.Duration
	seqBusy       time.Duration
	maps, loops   int
}

func newMapAccount(procs, items int) *mapAccount {
	return &mapAccount{procs: procs, par: newItemClock(items), seq: newItemClock(items)}
}

// addMap counts the map just timed on a.par, which took wall.
func (a *mapAccount) addMap(wall time.Duration) {
	a.wall += wall
	a.parBusy += a.par.busy()
	a.idle += a.par.endIdle(a.procs)
	a.maps++
}

// addLoop counts the sequential loop just timed on a.seq.
func (a *mapAccount) addLoop() {
	a.seqBusy += a.seq.busy()
	a.loops++
}

// figures returns the share of the cores' time the maps spent in items,
// the share left unused after a core's last item, and an item's mean time
// in a map over its mean time in the sequential loops; false before a map
// and a loop were counted.
func (a *mapAccount) figures() (busy, idle, ratio float64, ok bool) {
	if a.maps == 0 || a.loops == 0 || a.wall <= 0 || a.seqBusy <= 0 {
		return 0, 0, 0, false
	}
	cores := float64(a.procs) * float64(a.wall)
	ratio = (float64(a.parBusy) / float64(a.maps)) / (float64(a.seqBusy) / float64(a.loops))
	return float64(a.parBusy) / cores, float64(a.idle) / cores, ratio, true
}

// report reports the figures as busy-%, end-idle-% and item-ratio, and
// the rest of the cores' time, neither in items nor idle at the end, as
// other-%: dispatching the first items, the gaps between one item and the
// next on a core, and returning from the map.
func (a *mapAccount) report(b *testing.B) {
	b.Helper()
	if busy, idle, ratio, ok := a.figures(); ok {
		b.ReportMetric(100*busy, "busy-%")
		b.ReportMetric(100*idle, "end-idle-%")
		b.ReportMetric(100*(1-busy-idle), "other-%")
		b.ReportMetric(ratio, "item-ratio")
	}
}

// clockOf returns a clock of items with the given start and end times, in
// milliseconds from a fixed instant.
func clockOf(spans ...[2]int) *itemClock {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newItemClock(len(spans))
	for i, s := range spans {
		c.start[i] = t0.Add(time.Duration(s[0]) * time.Millisecond)
		c.end[i] = t0.Add(time.Duration(s[1]) * time.Millisecond)
	}
	return c
}

func TestItemClockEndIdle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		procs int
		spans [][2]int
		want  time.Duration // in milliseconds
	}{
		{"one core", 1, [][2]int{{0, 10}, {10, 25}, {25, 30}}, 0},
		{"two cores, one finishing 8 early", 2,
			[][2]int{{0, 10}, {0, 12}, {10, 20}, {12, 24}, {20, 30}, {24, 36}, {30, 40}, {36, 48}}, 8},
		// The faster core takes six items, the slower two; ends tie at 10
		// and at 20, whichever item follows which.
		{"one core twice as fast", 2,
			[][2]int{{0, 5}, {0, 10}, {5, 10}, {10, 15}, {10, 20}, {15, 20}, {20, 25}, {25, 30}}, 10},
		{"gaps between items", 2, [][2]int{{1, 10}, {2, 10}, {11, 20}, {12, 30}}, 10},
		{"both end together", 2, [][2]int{{0, 10}, {0, 10}}, 0},
		{"three cores", 3, [][2]int{{0, 10}, {0, 20}, {0, 30}, {10, 25}}, 5 + 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spans := make([][2]int, len(tc.spans))
			copy(spans, tc.spans)
			if got := clockOf(spans...).endIdle(tc.procs); got != tc.want*time.Millisecond {
				t.Errorf("endIdle(%d) = %v; want %v", tc.procs, got, tc.want*time.Millisecond)
			}
			// The items' order in the clock does not matter.
			slices.Reverse(spans)
			if got := clockOf(spans...).endIdle(tc.procs); got != tc.want*time.Millisecond {
				t.Errorf("reversed: endIdle(%d) = %v; want %v", tc.procs, got, tc.want*time.Millisecond)
			}
		})
	}
}

// TestMapAccountFigures checks that the figures account for the speedup:
// procs × busy ÷ item ratio is the sequential time over the map's.
func TestMapAccountFigures(t *testing.T) {
	a := newMapAccount(2, 4)
	if _, _, _, ok := a.figures(); ok {
		t.Fatal("figures before any map: ok")
	}
	// Alone, items take 10 ms: the loop 40 ms. In the map they take 11 ms,
	// three on one core, one on the other: the map takes 34 ms (1 ms to
	// dispatch), the second core idles 22 ms after its item.
	a.seq = clockOf([2]int{0, 10}, [2]int{10, 20}, [2]int{20, 30}, [2]int{30, 40})
	a.addLoop()
	a.par = clockOf([2]int{1, 12}, [2]int{1, 12}, [2]int{12, 23}, [2]int{23, 34})
	a.addMap(34 * time.Millisecond)
	busy, idle, ratio, ok := a.figures()
	if !ok {
		t.Fatal("figures after a map and a loop: not ok")
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	if !near(busy, 44.0/68) || !near(idle, 22.0/68) || !near(ratio, 1.1) {
		t.Errorf("figures = busy %v, idle %v, ratio %v; want %v, %v, 1.1", busy, idle, ratio, 44.0/68, 22.0/68)
	}
	if speedup := 2 * busy / ratio; !near(speedup, 40.0/34) {
		t.Errorf("2 × busy ÷ ratio = %v; want the speedup 40/34 = %v", speedup, 40.0/34)
	}
}

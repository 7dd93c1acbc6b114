package sleepfarm

import "sync"

// lanes hands out lane numbers to the running tasks of each run in this
// process: the lowest lane free at the time. A run's entry goes away when
// none of its tasks is running, so lanes hold no memory between runs.
var lanes = struct {
	sync.Mutex
	byRun map[uint64][]bool // run id -> lane in use
}{byRun: map[uint64][]bool{}}

// takeLane returns the lowest lane of run that no running task holds, and
// marks it held.
func takeLane(run uint64) int {
	lanes.Lock()
	defer lanes.Unlock()
	held := lanes.byRun[run]
	for i, h := range held {
		if !h {
			held[i] = true
			return i
		}
	}
	lanes.byRun[run] = append(held, true)
	return len(held)
}

// giveLane frees a lane taken by takeLane.
func giveLane(run uint64, lane int) {
	lanes.Lock()
	defer lanes.Unlock()
	held := lanes.byRun[run]
	held[lane] = false
	for _, h := range held {
		if h {
			return
		}
	}
	delete(lanes.byRun, run)
}

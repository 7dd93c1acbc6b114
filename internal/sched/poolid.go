package sched

import (
	"runtime"
	"sync"
)

// poolIDs hands out pool IDs: one given back by a collected pool if there
// is one, else the next new number. A pool's ID comes back when the
// garbage collector has found the pool unreachable, so no two live pools
// share one, and no more numbers are used than pools were ever alive at
// once (plus those not yet collected).
//
// A task that names its pool by ID may outlive the pool, but only done:
// a queued task keeps its pool reachable (a goroutine runs the pool's
// queue until it is empty), so an ID given again never names a task
// that is still waiting to run.
var poolIDs struct {
	mu   sync.Mutex
	next uint32   // the highest ID handed out so far
	free []uint32 // IDs given back, to hand out again
}

// takePoolID returns an ID no live pool holds. IDs start at 1.
func takePoolID() uint32 {
	poolIDs.mu.Lock()
	defer poolIDs.mu.Unlock()
	if n := len(poolIDs.free); n > 0 {
		id := poolIDs.free[n-1]
		poolIDs.free = poolIDs.free[:n-1]
		return id
	}
	poolIDs.next++
	return poolIDs.next
}

// givePoolID takes back the ID of a pool the garbage collector freed.
func givePoolID(id uint32) {
	poolIDs.mu.Lock()
	defer poolIDs.mu.Unlock()
	poolIDs.free = append(poolIDs.free, id)
}

// setID gives p an ID, to be given back once p is unreachable.
func (p *Pool) setID() {
	p.id = takePoolID()
	runtime.AddCleanup(p, givePoolID, p.id)
}

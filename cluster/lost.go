package cluster

import "slices"

// A lost worker's tasks come back to the queue after AckWait (30 s by
// default) without help, as the queue stops hearing from it. Clients make
// that quicker: a worker tells the client of each task it takes that it
// has it in hand (a held notice on the client's reply subject), and lists
// the tasks it has held for a while in its status entry; a client that
// sees the worker die puts its own tasks among them back in the queue at
// once, with a NAK on their messages. A client
// sees a worker die when the worker's status goes unrefreshed for
// lostAfter, and Start sees it at once when one of its worker processes
// exits with an error. A worker that stops cleanly deletes its entry and
// puts its tasks back itself.
//
// A worker wrongly taken for dead only costs a second run of its tasks,
// as after its AckWait ran out: each future completes once, with the
// first answer.

// lostAfter is how long a worker may go without refreshing its status
// before clients put their tasks in its hands back in the queue: twice the
// time after which its entry expires.
const lostAfter = 2 * statusTTL

// heldTask is a task in a worker's hands, as its status entry lists it:
// the call it belongs to (the client's inbox and the call's id) and the
// subject that acknowledges its message.
type heldTask struct {
	Reply string `json:"r"`
	ID    uint64 `json:"i"`
	Ack   string `json:"a"`
}

// heldHere returns the tasks of held that are this client's calls.
func (b *backend) heldHere(held []heldTask) []heldTask {
	var mine []heldTask
	for _, h := range held {
		if h.Reply == b.inbox {
			mine = append(mine, h)
		}
	}
	return mine
}

// held records a worker's notice that it has a call's task in hand.
func (b *backend) held(r *resultMsg) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if pc := b.pending[r.ID]; pc != nil {
		pc.heldBy, pc.heldAck = r.Worker, r.Held
	}
}

// heldBy returns this client's tasks that the workers of ids said they
// have in hand.
func (b *backend) heldBy(ids ...string) []heldTask {
	if len(ids) == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var held []heldTask
	for id, pc := range b.pending {
		if pc.heldBy != "" && slices.Contains(ids, pc.heldBy) {
			held = append(held, heldTask{Reply: b.inbox, ID: id, Ack: pc.heldAck})
		}
	}
	return held
}

// requeue puts back in the queue the tasks of held whose calls are still
// waiting for an answer, each delivery once.
func (b *backend) requeue(held []heldTask) {
	for _, h := range held {
		b.mu.Lock()
		pc := b.pending[h.ID]
		send := pc != nil && pc.requeued != h.Ack
		if send {
			pc.requeued = h.Ack
		}
		b.mu.Unlock()
		if send {
			_ = b.nc.Publish(h.Ack, []byte(ackNak))
		}
	}
}

// watchLost puts back the tasks of workers that stopped refreshing their
// status, until the backend closes. With an AckWait no longer than
// lostAfter the queue is as quick by itself, and a NAK would only come
// after it had handed the task to another worker: then it only forgets
// them.
func (b *backend) watchLost() {
	b.every(statusEvery, func() {
		if held, ids := b.workers.expire(lostAfter); b.cfg.ackWait > lostAfter {
			b.requeue(append(held, b.heldBy(ids...)...))
		}
	})
}

// workerDied puts back at once the tasks worker id held, when its process
// is known to have died.
func (b *backend) workerDied(id string) {
	b.requeue(append(b.workers.remove(id), b.heldBy(id)...))
}

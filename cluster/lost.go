package cluster

import "slices"

// A lost worker's tasks come back to the queue after AckWait (30 s by
// default) without help, as the queue stops hearing from it. Clients make
// that quicker: a worker tells the client of a task it has in hand which
// subject acknowledges the task's message (a held notice, on the client's
// reply subject; see worker.tellHeld), and a client that sees the worker
// die puts its own tasks in the worker's hands back in the queue at once,
// with a NAK on their messages. A client sees a worker die when the
// worker's status goes unrefreshed for lostAfter, and Start sees it at
// once when one of its worker processes exits with an error. A worker
// that stops cleanly deletes its entry and puts its tasks back itself.
//
// A worker wrongly taken for dead only costs a second run of its tasks,
// as after its AckWait ran out: each future completes once, with the
// first answer.

// lostAfter is how long a worker may go without refreshing its status
// before clients put their tasks in its hands back in the queue: twice the
// time after which its entry expires.
const lostAfter = 2 * statusTTL

// heldTask is a task of this client's in a worker's hands: the call's id
// and the subject that acknowledges the task's message.
type heldTask struct {
	id  uint64
	ack string
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
			held = append(held, heldTask{id, pc.heldAck})
		}
	}
	return held
}

// requeue puts back in the queue the tasks of held whose calls are still
// waiting for an answer, each delivery once.
func (b *backend) requeue(held []heldTask) {
	for _, h := range held {
		b.mu.Lock()
		pc := b.pending[h.id]
		send := pc != nil && pc.requeued != h.ack
		if send {
			pc.requeued = h.ack
		}
		b.mu.Unlock()
		if send {
			_ = b.nc.Publish(h.ack, []byte(ackNak))
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
		if ids := b.workers.expire(lostAfter); b.cfg.ackWait > lostAfter {
			b.requeue(b.heldBy(ids...))
		}
	})
}

// workerDied puts back at once the tasks worker id held, when its process
// is known to have died.
func (b *backend) workerDied(id string) {
	b.workers.remove(id)
	b.requeue(b.heldBy(id))
}

package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Workers write their status into the status bucket every statusEvery; an
// entry not refreshed for statusTTL expires, so a dead worker drops out.
const (
	statusEvery = time.Second
	statusTTL   = 3 * time.Second
)

// Status is a snapshot of a cluster: its workers and its queue.
type Status struct {
	Workers []WorkerStatus // the live workers, by ID
	Queued  int            // tasks waiting for a worker
	Running int            // tasks handed to workers and not yet finished
}

// Slots returns the total slots of the workers.
func (s Status) Slots() int {
	n := 0
	for _, w := range s.Workers {
		n += w.Slots
	}
	return n
}

// WorkerStatus is what a worker last reported about itself, about once a
// second. Counts are of items (one Submit is one item; a Map chunk holds
// many) since the worker started.
type WorkerStatus struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Slots   int       `json:"slots"`
	Running int       `json:"running"` // tasks in progress, including those waiting on sub-tasks
	Done    uint64    `json:"done"`    // items that succeeded
	Failed  uint64    `json:"failed"`  // items that failed
	Fetched uint64    `json:"fetched"` // shared values (of shoal.Put) fetched from the object store
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
}

// Status returns the cluster's live workers and the depth of its queue.
func (c *Client) Status(ctx context.Context) (Status, error) { return c.b.status(ctx) }

func (b *backend) status(ctx context.Context) (Status, error) {
	var s Status
	var err error
	if s.Workers, err = b.readWorkers(ctx); err != nil {
		return Status{}, err
	}
	cons, err := b.stream.Consumer(ctx, consumerName)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		// No worker has ever served: everything is queued.
		info, err := b.stream.Info(ctx)
		if err != nil {
			return Status{}, fmt.Errorf("cluster: queue status: %w", err)
		}
		s.Queued = int(info.State.Msgs)
	case err != nil:
		return Status{}, fmt.Errorf("cluster: queue status: %w", err)
	default:
		info, err := cons.Info(ctx)
		if err != nil {
			return Status{}, fmt.Errorf("cluster: queue status: %w", err)
		}
		s.Queued, s.Running = int(info.NumPending), info.NumAckPending
	}
	return s, nil
}

// readWorkers returns the entries of the status bucket, by ID.
func (b *backend) readWorkers(ctx context.Context) ([]WorkerStatus, error) {
	w, err := b.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("cluster: reading worker status: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var ws []WorkerStatus
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // the end of the current values
				slices.SortFunc(ws, func(a, b WorkerStatus) int { return strings.Compare(a.ID, b.ID) })
				return ws, nil
			}
			var s WorkerStatus
			if json.Unmarshal(e.Value(), &s) == nil {
				ws = append(ws, s)
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("cluster: reading worker status: %w", ctx.Err())
		}
	}
}

// watchWorkers keeps b.workers current: it reads the status bucket once
// and then follows the workers' heartbeats as they are stored.
func (b *backend) watchWorkers(ctx context.Context) error {
	sub, err := b.follow(ctx, b.kv, statusBucket, func(id string, value []byte) {
		var s WorkerStatus
		if json.Unmarshal(value, &s) == nil {
			b.workers.update(id, s.Slots)
		}
	}, b.workers.remove) // a worker that deletes its entry put its tasks back itself
	if err != nil {
		return fmt.Errorf("cluster: following worker status: %w", err)
	}
	b.statusSub = sub
	return nil
}

// workerTable is what a client knows of the workers, from their
// heartbeats: enough for Slots, for Start to see its workers serve, and
// for the client to see a worker die (see lost.go).
type workerTable struct {
	mu sync.Mutex
	m  map[string]seenWorker
}

type seenWorker struct {
	slots int
	seen  time.Time
}

func (t *workerTable) update(id string, slots int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]seenWorker{}
	}
	t.m[id] = seenWorker{slots: slots, seen: time.Now()}
}

func (t *workerTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, id)
}

// expire forgets the workers not heard from for longer than after, and
// returns their ids.
func (t *workerTable) expire(after time.Duration) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ids []string
	for id, w := range t.m {
		if time.Since(w.seen) > after {
			ids = append(ids, id)
			delete(t.m, id)
		}
	}
	return ids
}

// slots sums the slots of the workers heard from within statusTTL.
func (t *workerTable) slots() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, w := range t.m {
		if time.Since(w.seen) <= statusTTL {
			n += w.slots
		}
	}
	return n
}

// has reports whether every worker in ids has been heard from.
func (t *workerTable) has(ids []string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		if _, ok := t.m[id]; !ok {
			return false
		}
	}
	return true
}

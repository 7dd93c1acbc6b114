package cluster

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// A task whose client is gone has nobody to answer: a driver killed in
// the middle of a Map leaves its chunks in the queue, and workers would
// run them for nothing. So every client heartbeats into the client bucket
// (its reply subject as the key) every statusEvery, and deletes its entry
// when it closes. A worker drops the tasks of a client whose entry was
// deleted, or went clientLostAfter without a refresh: a queued task
// before it runs, a running one by cancelling its context. It answers
// them with ErrClientGone all the same, so that a client wrongly taken for
// gone gets an error rather than waiting for ever. A client never heard
// from counts as alive.

// clientLostAfter is how long a client may go without a heartbeat before
// workers drop its tasks. It is longer than lostAfter: taking a live
// client for gone fails its calls, while waiting a little longer for a
// dead one only runs a few more of its tasks for nothing.
const clientLostAfter = 10 * time.Second

// clientEntry is a client's heartbeat: who it is, for people reading the
// bucket.
type clientEntry struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// heartbeat writes the client's entry now and then every statusEvery until
// the backend closes, when close deletes it.
func (b *backend) heartbeat(ctx context.Context) error {
	host, _ := os.Hostname()
	data, err := json.Marshal(clientEntry{Host: host, PID: os.Getpid(), Started: time.Now()})
	if err != nil {
		return err
	}
	if _, err := b.clients.Put(ctx, b.inbox, data); err != nil {
		return err
	}
	b.bg.Go(func() {
		b.every(statusEvery, func() {
			ctx, cancel := b.opContext(statusDeadline)
			_, _ = b.clients.Put(ctx, b.inbox, data) // a missed beat is made up by the next
			cancel()
		})
	})
	return nil
}

// dropEntry deletes the client's entry, as it closes.
func (b *backend) dropEntry() {
	if !b.nc.IsConnected() {
		return // the entry expires by itself
	}
	ctx, cancel := context.WithTimeout(context.Background(), statusDeadline)
	defer cancel()
	_ = b.clients.Delete(ctx, b.inbox)
}

// clientTable is what a worker knows of the clients, from their
// heartbeats.
type clientTable struct {
	mu sync.Mutex
	m  map[string]*clientSeen
}

type clientSeen struct {
	seen    time.Time
	deleted bool // the client closed
}

// forgetClient is how long a worker remembers a client that is gone.
const forgetClient = time.Hour

func (t *clientTable) update(key string, deleted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*clientSeen{}
	}
	t.m[key] = &clientSeen{seen: time.Now(), deleted: deleted}
}

// gone reports whether the client with reply subject key closed or went
// silent; a client never heard from is not gone.
func (t *clientTable) gone(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.m[key]
	return c != nil && (c.deleted || time.Since(c.seen) > clientLostAfter)
}

// prune forgets the clients gone for longer than forgetClient.
func (t *clientTable) prune() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, c := range t.m {
		if time.Since(c.seen) > forgetClient {
			delete(t.m, k)
		}
	}
}

// watchClients keeps t current, reading the client bucket once and then
// following its changes; the returned subscription ends it.
func (b *backend) watchClients(ctx context.Context, t *clientTable) (*nats.Subscription, error) {
	return b.follow(ctx, b.clients, clientBucket,
		func(key string, _ []byte) { t.update(key, false) },
		func(key string) { t.update(key, true) })
}

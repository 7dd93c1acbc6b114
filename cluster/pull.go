package cluster

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// puller asks the workers' consumer for tasks over one long-lived
// subscription, so a worker requests exactly as many tasks as it can take
// (see worker.pull) and a request costs one small message, not a
// subscription.
//
// The server hands a pull request's messages to the subscription and ends
// a request either by filling it or with a status message saying how many
// it did not deliver. The puller counts the messages it still expects; the
// count is approximate only if a status goes missing, and it resets once
// every request it sent has expired.
type puller struct {
	nc      *nats.Conn
	subject string // the consumer's next-message API subject
	inbox   string
	expires time.Duration
	sub     *nats.Subscription

	mu       sync.Mutex
	pending  int       // messages requested and not yet received or given up
	lastN    int       // the batch of the latest request
	deadline time.Time // when the latest request expires
	wake     chan struct{}
}

func newPuller(nc *nats.Conn, stream, consumer string, expires time.Duration, onTask func(*nats.Msg)) (*puller, error) {
	p := &puller{
		nc:      nc,
		subject: fmt.Sprintf("$JS.API.CONSUMER.MSG.NEXT.%s.%s", stream, consumer),
		inbox:   nc.NewInbox(),
		expires: expires,
		wake:    make(chan struct{}, 1),
	}
	var err error
	p.sub, err = nc.Subscribe(p.inbox, func(m *nats.Msg) {
		if p.status(m) {
			return
		}
		p.mu.Lock()
		p.pending = max(0, p.pending-1)
		p.mu.Unlock()
		onTask(m)
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: subscribing for tasks: %w", err)
	}
	// Tasks dropped for a slow consumer would wait out their AckWait.
	if err := p.sub.SetPendingLimits(-1, -1); err != nil {
		_ = p.sub.Unsubscribe()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return p, nil
}

// status handles m if it is a status message rather than a task,
// reporting whether it was.
func (p *puller) status(m *nats.Msg) bool {
	if len(m.Data) != 0 || m.Header == nil {
		return false
	}
	code := m.Header.Get("Status")
	if code == "" {
		return false
	}
	if code == "100" { // an idle heartbeat
		return true
	}
	p.mu.Lock()
	if left, err := strconv.Atoi(m.Header.Get("Nats-Pending-Messages")); err == nil {
		p.pending = max(0, p.pending-left) // a request ended short
	} else {
		p.pending = max(0, p.pending-p.lastN) // a request refused outright
	}
	p.mu.Unlock()
	p.signal()
	return true
}

// outstanding returns how many tasks are requested and not yet delivered.
func (p *puller) outstanding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending > 0 && time.Now().After(p.deadline.Add(time.Second)) {
		p.pending = 0 // every request has expired: a status went missing
	}
	return p.pending
}

// request asks the server for n more tasks.
func (p *puller) request(n int) error {
	p.mu.Lock()
	p.pending += n
	p.lastN = n
	p.deadline = time.Now().Add(p.expires)
	p.mu.Unlock()
	req := fmt.Appendf(nil, `{"batch":%d,"expires":%d}`, n, p.expires.Nanoseconds())
	if err := p.nc.PublishRequest(p.subject, p.inbox, req); err != nil {
		p.mu.Lock()
		p.pending = max(0, p.pending-n)
		p.mu.Unlock()
		return err
	}
	return nil
}

func (p *puller) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// stop ends the subscription: no more tasks arrive after it returns, but
// the handler may still be running for one.
func (p *puller) stop() { _ = p.sub.Unsubscribe() }

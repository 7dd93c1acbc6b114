package cluster

import (
	"sync"
	"time"

	"github.com/shoal-go/shoal/internal/remote"
)

// Backend exposes a client's remote.Backend, for tests that send calls the
// root package would not (unknown names, corrupt arguments).
func Backend(c *Client) remote.Backend { return c.b }

// StopGrace sets how long Close waits for workers before killing them.
func StopGrace(d time.Duration) Option { return func(c *config) { c.stopGrace = d } }

// KeptReads reports how many kept results c's process read back.
func KeptReads(c *Client) uint64 { return c.b.keptReads.Load() }

// NoInline makes a worker send every chunk of its tasks' nested calls
// through the queue, even when no other slot is idle.
func NoInline() Option { return noInline() }

// StartServer starts an embedded server alone, without worker processes,
// for tests that run their workers with Serve; stop shuts it down.
func StartServer(opts ...Option) (url, token string, stop func() error, err error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return "", "", nil, err
	}
	e, err := startServer(cfg)
	if err != nil {
		return "", "", nil, err
	}
	return e.url, e.token, e.shutdown, nil
}

// AckSeq is ackSeq, the fast reading of a stream's acknowledgement.
var AckSeq = ackSeq

// LostGrace sets how long a client waits after a reconnect before it looks
// for lost answers.
func LostGrace(d time.Duration) Option { return func(c *config) { c.lostGrace = d } }

// LoseResults makes c drop the next n answers it receives, as a connection
// that is down loses them; the channel is closed once it has.
func LoseResults(c *Client, n int) <-chan struct{} {
	done := make(chan struct{})
	var mu sync.Mutex
	lose := func(uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		if n == 0 {
			return false
		}
		if n--; n == 0 {
			close(done)
		}
		return true
	}
	c.b.loseResult.Store(&lose)
	return done
}

// ForceReconnect drops c's connection to the server; it reconnects.
func ForceReconnect(c *Client) error { return c.b.nc.ForceReconnect() }

// HeldNotices counts c's calls whose task a worker said it has in hand.
func HeldNotices(c *Client) int {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	n := 0
	for _, pc := range c.b.pending {
		if pc.heldBy != "" {
			n++
		}
	}
	return n
}

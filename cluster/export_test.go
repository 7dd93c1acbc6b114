package cluster

import (
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

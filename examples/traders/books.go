package traders

import (
	"context"
	"fmt"
	"sync"

	"github.com/shoal-go/shoal"
)

// books caches the per-asset books of the tables this process has seen, so
// that the traders of an asset, each a task of its own, select the asset's
// rows once per process rather than once per trader. It keeps the books of
// the last maxBooks (table, asset) pairs.
var books bookCache

const maxBooks = 64

type bookKey struct {
	table *Trade // the table's first row: the identity of a shared table
	rows  int
	asset int
}

type bookEntry struct {
	once sync.Once
	b    book
}

type bookCache struct {
	mu    sync.Mutex
	m     map[bookKey]*bookEntry
	order []bookKey
}

// bookFor returns the book of asset in the table ref shares.
func bookFor(ctx context.Context, ref shoal.Ref[Data], asset int) (*book, error) {
	d, err := ref.Get(ctx)
	if err != nil {
		return nil, err
	}
	if asset < 0 || asset >= d.Config.Assets {
		return nil, errAsset(asset, d.Config.Assets)
	}
	k := bookKey{rows: len(d.Trades), asset: asset}
	if len(d.Trades) > 0 {
		k.table = &d.Trades[0]
	}
	e := books.entry(k)
	e.once.Do(func() { e.b = bookOf(d, asset) })
	return &e.b, nil
}

func (c *bookCache) entry(k bookKey) *bookEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		return e
	}
	if c.m == nil {
		c.m = map[bookKey]*bookEntry{}
	}
	if len(c.order) >= maxBooks {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	e := &bookEntry{}
	c.m[k] = e
	c.order = append(c.order, k)
	return e
}

func errAsset(asset, assets int) error {
	return fmt.Errorf("traders: no asset %d in a table of %d", asset, assets)
}

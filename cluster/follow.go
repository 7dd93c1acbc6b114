package cluster

import (
	"context"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// follow keeps a table of a heartbeat bucket current: put is called with
// each entry's key and value, first for the entries there now and then as
// they are stored, and del with the key of each entry deleted. It follows
// with a plain subscription to the bucket's subjects, cheaper than a
// watcher, which only reads the current entries; the returned
// subscription ends it. put and del run on the subscription's goroutine
// and on the caller's, one at a time for each.
func (b *backend) follow(ctx context.Context, kv jetstream.KeyValue, bucket string, put func(key string, value []byte), del func(key string)) (*nats.Subscription, error) {
	prefix := "$KV." + bucket + "."
	sub, err := b.nc.Subscribe(prefix+">", func(m *nats.Msg) {
		key := strings.TrimPrefix(m.Subject, prefix)
		switch m.Header.Get("KV-Operation") {
		case "DEL", "PURGE":
			del(key)
		default:
			put(key, m.Data)
		}
	})
	if err != nil {
		return nil, err
	}
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // the end of the current values
				return sub, nil
			}
			put(e.Key(), e.Value())
		case <-ctx.Done():
			_ = sub.Unsubscribe()
			return nil, ctx.Err()
		}
	}
}

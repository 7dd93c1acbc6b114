package cluster

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/shoal-go/shoal"
)

// Shared values (shoal.Put) live in the cluster's object store under the
// SHA-256 of their encoding, so the same value is stored once. Each process
// fetches a value once and keeps its bytes in an LRU cache bounded by
// CacheBytes; concurrent fetches of one value share a single download.

// Put implements remote.Backend.
func (b *backend) Put(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	id := "sha256-" + hex.EncodeToString(sum[:])
	if info, err := b.objs.GetInfo(ctx, id); err == nil && !info.Deleted && info.Size == uint64(len(data)) {
		return id, nil // stored already
	}
	if err := b.putObject(ctx, id, data); err != nil {
		return "", fmt.Errorf("cluster: storing a shared value: %w", err)
	}
	return id, nil
}

// putObject stores data in the object store under name, in the store's
// format (chunks on a fresh subject, then a meta message that rolls up the
// name's previous one), so that the store's readers and Delete work on it.
//
// It does not use ObjectStore.PutBytes: in nats.go v1.55.0 each call makes
// a JetStream context whose reconnect goroutine may start after the
// context's cleanup and then block forever on a nil channel, a goroutine
// leaked per Put. This writes with the backend's own context instead.
func (b *backend) putObject(ctx context.Context, name string, data []byte) error {
	id := nuid.Next()
	chunkSubj := "$O." + objectBucket + ".C." + id
	size := max(1, min(objectChunk, b.spill))
	var acks []jetstream.PubAckFuture
	chunks := 0
	for off := 0; off < len(data); off += size {
		paf, err := b.js.PublishMsgAsync(&nats.Msg{Subject: chunkSubj, Data: data[off:min(off+size, len(data))]})
		if err != nil {
			b.purgeChunks(chunkSubj)
			return err
		}
		acks = append(acks, paf)
		chunks++
	}
	sum := sha256.Sum256(data)
	info := jetstream.ObjectInfo{
		ObjectMeta: jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: uint32(size)}},
		Bucket:     objectBucket,
		NUID:       id,
		Size:       uint64(len(data)),
		Chunks:     uint32(chunks),
		Digest:     "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:]),
	}
	meta, err := json.Marshal(info)
	if err != nil {
		return err
	}
	mm := nats.NewMsg("$O." + objectBucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name)))
	mm.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	mm.Data = meta
	paf, err := b.js.PublishMsgAsync(mm)
	if err != nil {
		b.purgeChunks(chunkSubj)
		return err
	}
	acks = append(acks, paf)
	for _, paf := range acks {
		select {
		case <-paf.Ok():
		case err := <-paf.Err():
			b.purgeChunks(chunkSubj)
			return err
		case <-ctx.Done():
			b.purgeChunks(chunkSubj)
			return ctx.Err()
		}
	}
	return nil
}

// objectChunk is the size of the chunks putObject writes, below the
// default NATS payload limit of 1 MiB.
const objectChunk = 512 << 10

// purgeChunks removes the chunks of an object that failed to store.
func (b *backend) purgeChunks(subject string) {
	ctx, cancel := b.opContext(10 * time.Second)
	defer cancel()
	if s, err := b.js.Stream(ctx, "OBJ_"+objectBucket); err == nil {
		_ = s.Purge(ctx, jetstream.WithPurgeSubject(subject))
	}
}

// Fetch implements remote.Backend.
func (b *backend) Fetch(ctx context.Context, id string) ([]byte, error) {
	return b.cache.get(ctx, id, func(ctx context.Context) ([]byte, error) {
		data, err := b.objs.GetBytes(ctx, id)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, fmt.Errorf("%w: shared value %s is not in the cluster's store", shoal.ErrReleased, id)
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: fetching shared value %s: %w", id, err)
		}
		b.fetched.Add(1)
		return data, nil
	})
}

// Release implements remote.Backend. Values are content-addressed: Put of
// an equal value made elsewhere shares the stored copy, and loses it too.
func (b *backend) Release(ctx context.Context, id string) error {
	b.cache.drop(id)
	if err := b.objs.Delete(ctx, id); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("cluster: releasing shared value %s: %w", id, err)
	}
	return nil
}

// objectCache keeps fetched values, least recently used first out, within
// a byte budget; a value larger than the budget is not kept.
type objectCache struct {
	mu     sync.Mutex
	limit  int64
	size   int64
	lru    *list.List // of *cached, most recent at the front
	byID   map[string]*list.Element
	flight map[string]*fetching
}

const fetchTimeout = 10 * time.Minute

type cached struct {
	id   string
	data []byte
}

// fetching is a download in progress that other callers wait for.
type fetching struct {
	done chan struct{}
	data []byte
	err  error
}

func newObjectCache(limit int64) *objectCache {
	return &objectCache{limit: limit, lru: list.New(), byID: map[string]*list.Element{}, flight: map[string]*fetching{}}
}

// get returns the cached bytes of id, or fetches them once however many
// callers ask at the same time. A caller whose ctx ends stops waiting; the
// download goes on for the others.
func (c *objectCache) get(ctx context.Context, id string, fetch func(context.Context) ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.byID[id]; ok {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cached).data, nil
	}
	f, ok := c.flight[id]
	if !ok {
		f = &fetching{done: make(chan struct{})}
		c.flight[id] = f
		c.mu.Unlock()
		// The download serves every waiter: it runs to its end (or a
		// generous timeout) even if this caller gives up.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		f.data, f.err = fetch(fctx)
		cancel()
		c.mu.Lock()
		delete(c.flight, id)
		if f.err == nil {
			c.add(id, f.data)
		}
		c.mu.Unlock()
		close(f.done)
		return f.data, f.err
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.data, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *objectCache) add(id string, data []byte) {
	n := int64(len(data))
	if n > c.limit {
		return
	}
	for c.size+n > c.limit {
		e := c.lru.Back()
		old := c.lru.Remove(e).(*cached)
		delete(c.byID, old.id)
		c.size -= int64(len(old.data))
	}
	c.byID[id] = c.lru.PushFront(&cached{id: id, data: data})
	c.size += n
}

func (c *objectCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.lru.Remove(e)
		delete(c.byID, id)
		c.size -= int64(len(e.Value.(*cached).data))
	}
}

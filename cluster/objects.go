package cluster

import (
	"container/list"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"golang.org/x/crypto/blake2b"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/internal/wire"
)

// Shared values (shoal.Put) live in the cluster's object store under the
// BLAKE2b-256 hash of their encoding, so the same value is stored once.
// Each process fetches a value once and keeps its bytes in an LRU cache
// bounded by CacheBytes; concurrent fetches of one value share a single
// download.

// Put implements remote.Backend. It hashes data once (BLAKE2b-256, about
// three times as fast as SHA-256 without SHA instructions), and names the
// value by its hash. A value larger than hashFirst is hashed as its chunks
// go out, so that hashing overlaps the server's storing them; if the store
// turns out to hold the value already, the new chunks are purged.
func (b *backend) Put(ctx context.Context, data []byte) (string, error) {
	stored := func(id string) bool {
		info, err := b.objs.GetInfo(ctx, id)
		return err == nil && !info.Deleted && info.Size == uint64(len(data))
	}
	if len(data) <= hashFirst {
		sum := blake2b.Sum256(data)
		id := valueID(sum[:])
		if stored(id) {
			return id, nil
		}
		if err := b.putObject(ctx, id, data); err != nil {
			return "", fmt.Errorf("cluster: storing a shared value: %w", err)
		}
		return id, nil
	}
	h, err := blake2b.New256(nil)
	if err != nil {
		return "", err
	}
	up, err := b.upload(data, func(chunk []byte) { h.Write(chunk) })
	if err != nil {
		return "", fmt.Errorf("cluster: storing a shared value: %w", err)
	}
	id := valueID(h.Sum(nil))
	if stored(id) {
		up.abort(ctx)
		return id, nil
	}
	if err := up.finish(ctx, id); err != nil {
		return "", fmt.Errorf("cluster: storing a shared value: %w", err)
	}
	return id, nil
}

// hashFirst is the size up to which Put hashes a value before storing it.
const hashFirst = 4 << 20

func valueID(sum []byte) string { return "b2-" + hex.EncodeToString(sum) }

// putObject stores data in the object store under name, in the store's
// format (chunks on a fresh subject, then a meta message that rolls up the
// name's previous one), so that the store's listing and Delete work on it.
// The meta message carries no digest: the data is not hashed again here
// (shared values are named by their hash already), and getObject, the
// reader of shoal's objects, checks their size and chunk count instead.
//
// It does not use ObjectStore.PutBytes: in nats.go v1.55.0 each call makes
// a JetStream context whose reconnect goroutine may start after the
// context's cleanup and then block forever on a nil channel, a goroutine
// leaked per Put. This writes with the backend's own context instead.
func (b *backend) putObject(ctx context.Context, name string, data []byte) error {
	up, err := b.upload(data, nil)
	if err != nil {
		return err
	}
	return up.finish(ctx, name)
}

// upload is an object's chunks on their way into the store, not yet
// named: finish names it, abort drops it.
type upload struct {
	b      *backend
	nuid   string
	size   int // of a chunk
	total  int
	chunks int
	acks   []jetstream.PubAckFuture
}

// upload publishes data's chunks, calling each (if not nil) on every chunk
// before it goes out. It does not wait for the server.
func (b *backend) upload(data []byte, each func([]byte)) (*upload, error) {
	u := &upload{b: b, nuid: nuid.Next(), size: max(1, min(objectChunk, b.spill)), total: len(data)}
	subj := u.subject()
	for off := 0; off < len(data); off += u.size {
		chunk := data[off:min(off+u.size, len(data))]
		if each != nil {
			each(chunk)
		}
		paf, err := b.js.PublishMsgAsync(&nats.Msg{Subject: subj, Data: chunk})
		if err != nil {
			b.purgeChunks(subj)
			return nil, err
		}
		u.acks = append(u.acks, paf)
		u.chunks++
	}
	return u, nil
}

func (u *upload) subject() string { return "$O." + objectBucket + ".C." + u.nuid }

// finish names the object: it publishes its meta message and waits for the
// server to acknowledge every message; on failure it purges the chunks.
func (u *upload) finish(ctx context.Context, name string) error {
	info := jetstream.ObjectInfo{
		ObjectMeta: jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: uint32(u.size)}},
		Bucket:     objectBucket,
		NUID:       u.nuid,
		Size:       uint64(u.total),
		Chunks:     uint32(u.chunks),
	}
	meta, err := json.Marshal(info)
	if err != nil {
		return err
	}
	mm := nats.NewMsg("$O." + objectBucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name)))
	mm.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	mm.Data = meta
	paf, err := u.b.js.PublishMsgAsync(mm)
	if err != nil {
		u.b.purgeChunks(u.subject())
		return err
	}
	if err := u.wait(ctx, append(u.acks, paf)); err != nil {
		u.b.purgeChunks(u.subject())
		return err
	}
	return nil
}

// abort drops the chunks, once the server has them all (a purge before
// would leave the late ones behind).
func (u *upload) abort(ctx context.Context) {
	_ = u.wait(ctx, u.acks)
	u.b.purgeChunks(u.subject())
}

func (u *upload) wait(ctx context.Context, acks []jetstream.PubAckFuture) error {
	for _, paf := range acks {
		select {
		case <-paf.Ok():
		case err := <-paf.Err():
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// objectChunk is the size of the chunks upload writes, below the
// default NATS payload limit of 1 MiB.
const objectChunk = 512 << 10

// getObject returns the object stored under name, read straight into a
// buffer of the size its meta message gives (ObjectStore.GetBytes pipes
// the chunks through a net.Pipe into a growing buffer and hashes them
// again). A size beyond the largest value a worker accepts, or chunks that
// do not add up to the size, fail it: a corrupt or hostile meta message
// costs no memory beyond that bound. A missing object is
// jetstream.ErrObjectNotFound.
func (b *backend) getObject(ctx context.Context, name string) ([]byte, error) {
	info, err := b.objs.GetInfo(ctx, name)
	if err != nil {
		return nil, err
	}
	switch {
	case info.NUID == "":
		return nil, jetstream.ErrBadObjectMeta
	case info.Size > defaultMaxValue:
		return nil, fmt.Errorf("%w: object %s of %d bytes, limit %d", errMalformed, name, info.Size, defaultMaxValue)
	case info.Size == 0:
		return []byte{}, nil
	}
	cons, err := b.js.OrderedConsumer(ctx, objectStream, jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{"$O." + objectBucket + ".C." + info.NUID},
		InactiveThreshold: fetchInactive,
	})
	if err != nil {
		return nil, err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(objectReadAhead))
	if err != nil {
		return nil, err
	}
	defer b.dropConsumer(cons)
	defer it.Stop()
	var buf []byte
	for range info.Chunks {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return nil, err
		}
		if buf == nil {
			buf = alignedBuffer(m.Data(), int(info.Size))
		}
		if len(m.Data()) > cap(buf)-len(buf) {
			return nil, fmt.Errorf("%w: object %s: chunks beyond its size of %d bytes", errMalformed, name, info.Size)
		}
		buf = append(buf, m.Data()...)
	}
	if buf == nil || uint64(len(buf)) != info.Size {
		return nil, fmt.Errorf("%w: object %s: %d bytes in %d chunks, want %d", errMalformed, name, len(buf), info.Chunks, info.Size)
	}
	return buf, nil
}

// alignedBuffer returns an empty buffer of capacity size for an object
// whose first chunk is first, placed so that the elements of a float
// typed array (a shared []float64) are aligned for them: the codec then
// decodes the value in place, and a worker holds one copy of it, not two.
func alignedBuffer(first []byte, size int) []byte {
	off, align := wire.PayloadOffset(first)
	if align == 1 || off >= size {
		return make([]byte, 0, size)
	}
	buf := make([]byte, size+align-1)
	skip := (align - int((uintptr(unsafe.Pointer(&buf[0]))+uintptr(off))%uintptr(align))) % align
	return buf[skip : skip : skip+size]
}

// objectReadAhead is how many chunks getObject asks for at a time.
const objectReadAhead = 16

// objectStream is the stream that holds the object store's chunks.
const objectStream = "OBJ_" + objectBucket

// fetchInactive is how long the server keeps the consumer of a fetch that
// went silent: a process that died in the middle of one. A fetch that
// ends deletes its consumer itself (dropConsumer).
const fetchInactive = 30 * time.Second

// dropConsumer deletes the consumer of a fetch that has ended. The server
// keeps an idle consumer for its InactiveThreshold, and a stream takes at
// most 1,000 consumers by default (nats-server 2.11 on): without this, a
// cluster whose processes fetch more than that many values within the
// threshold fails the next fetch with "maximum consumers limit reached".
func (b *backend) dropConsumer(cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil {
		return // never created
	}
	ctx, cancel := b.opContext(statusDeadline)
	defer cancel()
	_ = b.js.DeleteConsumer(ctx, objectStream, info.Name) // else it expires after fetchInactive
}

// purgeChunks removes the chunks of an object that failed to store.
func (b *backend) purgeChunks(subject string) {
	ctx, cancel := b.opContext(10 * time.Second)
	defer cancel()
	if s, err := b.js.Stream(ctx, objectStream); err == nil {
		_ = s.Purge(ctx, jetstream.WithPurgeSubject(subject))
	}
}

// Fetch implements remote.Backend.
func (b *backend) Fetch(ctx context.Context, id string) ([]byte, error) {
	return b.cache.get(ctx, id, func(ctx context.Context) ([]byte, error) {
		data, err := b.getObject(ctx, id)
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

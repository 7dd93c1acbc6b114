package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/internal/remote"
	"github.com/shoal-go/shoal/internal/wire"
)

// Client is a connection to a cluster: an executor for shoal.Submit, Map,
// Stream, Put and the rest, whose tasks run on the cluster's workers. Only
// registered functions run there (see shoal.Register); shoal.Go with a
// closure fails at once, as does ForEach. It is safe for concurrent use.
//
// A Client holds a NATS connection and the goroutines of its library, and
// a subscription for the results of its tasks; Close releases them.
type Client struct {
	shoal.Remote
	b *backend
}

// Connect joins the cluster whose NATS server (or NATS cluster) is at url,
// such as "nats://10.0.0.5:4222" or a comma-separated list of servers,
// authenticating with the Token, CredsFile or TLS options. It creates the
// cluster's queue, status bucket and object store if they do not exist
// (with Replicas copies). It waits for the connection at most until ctx's
// deadline, or 10 seconds.
//
// A server that refuses the credentials fails Connect with an error
// wrapping ErrAuth.
func Connect(ctx context.Context, url string, opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	b, err := connect(ctx, url, cfg, "shoal client")
	if err != nil {
		return nil, err
	}
	return b.client(), nil
}

// Close fails the client's calls still in flight with ErrClosed, stops
// their tasks on the workers, and closes the connection. It returns nil,
// and may be called more than once.
func (c *Client) Close() error { return c.b.close() }

// backend implements remote.Backend on a NATS connection: tasks go out on
// the task stream, results come back on the client's reply subject.
type backend struct {
	nc      *nats.Conn
	ownConn bool
	js      jetstream.JetStream
	stream  jetstream.Stream
	kv      jetstream.KeyValue // the workers' status
	clients jetstream.KeyValue // the clients' heartbeats (clients.go)
	objs    jetstream.ObjectStore
	codec   *wire.Codec
	cfg     *config
	inbox   string        // the reply subject of this client's tasks
	spill   int           // tasks and results larger than this go through the object store
	closedC chan struct{} // closed when the connection is closed for good
	// life ends when the backend closes: the background work of cancels,
	// deletes and large results gives up. It is the backend's lifetime,
	// not a caller's context.
	life context.Context
	kill context.CancelFunc

	replySub  *nats.Subscription
	ackPrefix string // the stream acknowledges task <id> on ackPrefix+<id>
	ackSub    *nats.Subscription
	statusSub *nats.Subscription
	workers   workerTable
	cache     *objectCache
	bg        tracker // goroutines that outlive a callback: cancels, fetches, deletes

	seq     atomic.Uint64
	fetched atomic.Uint64 // shared values downloaded, for the status
	// loseResult, set by tests, drops the answers of the calls it
	// reports true for, as a connection that is down loses them.
	loseResult atomic.Pointer[func(id uint64) bool]
	mu         sync.Mutex
	pending    map[uint64]*pendingCall // nil once closed
	// cancelled holds the calls cancelled before the stream acknowledged
	// their task: the acknowledgement says which message to delete.
	cancelled map[uint64]bool
	kept      map[string]struct{} // results kept in the store for their futures (kept.go)
	keptReads atomic.Uint64       // kept results this process read back
}

// pendingCall is a call sent and not yet answered.
type pendingCall struct {
	id     uint64
	name   string
	done   func([]remote.Result, error)
	stop   func() bool // unregisters the cancel on ctx
	seq    uint64      // the task's stream sequence, once the server acknowledged it
	object string      // the spilled arguments, deleted when the call ends
	pieces []string    // argument pieces stored as objects, deleted when the call ends
	keep   bool        // a result too large for a message stays in the store (remote.Call.Keep)
	data   []byte      // the task message, sent again if its answer is lost
	// heldBy and heldAck are the worker that said it has the task in hand,
	// and the subject that acknowledges that delivery; requeued is the
	// acknowledgement subject of the delivery this client put back in the
	// queue when its worker died (see lost.go).
	heldBy, heldAck, requeued string
}

// dial opens a NATS connection to url with the credentials of cfg.
func dial(ctx context.Context, url string, cfg *config, name string, closed func()) (*nats.Conn, error) {
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	opts := []nats.Option{
		nats.Name(name),
		nats.Timeout(timeout),
		nats.ClosedHandler(func(*nats.Conn) { closed() }),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	if cfg.token != "" {
		opts = append(opts, nats.Token(cfg.token))
	}
	if cfg.creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.creds))
	}
	if cfg.tls != nil {
		opts = append(opts, nats.Secure(cfg.tls))
	}
	if f := cfg.tlsFiles; f != nil {
		if f.ca != "" {
			opts = append(opts, nats.RootCAs(f.ca))
		}
		if f.cert != "" {
			opts = append(opts, nats.ClientCert(f.cert, f.key))
		}
	}
	if cfg.inProcess != nil {
		opts = append(opts, nats.InProcessServer(cfg.inProcess))
	}
	if cfg.noReconnect {
		opts = append(opts, nats.NoReconnect())
	} else {
		opts = append(opts, nats.MaxReconnects(-1))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) {
			return nil, fmt.Errorf("%w: %s refused the credentials (%s): %v", ErrAuth, url, credsKind(cfg), err)
		}
		return nil, fmt.Errorf("cluster: connecting to %s: %w", url, err)
	}
	return nc, nil
}

func credsKind(cfg *config) string {
	switch {
	case cfg.creds != "":
		return "creds file " + cfg.creds
	case cfg.token != "":
		return "a token"
	}
	return "none given; use cluster.Token or cluster.CredsFile"
}

// connect dials url and sets up a backend on its own connection.
func connect(ctx context.Context, url string, cfg *config, name string) (*backend, error) {
	closedC := make(chan struct{})
	var once sync.Once
	nc, err := dial(ctx, url, cfg, name, func() { once.Do(func() { close(closedC) }) })
	if err != nil {
		return nil, err
	}
	b, err := newBackend(ctx, nc, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	b.ownConn, b.closedC = true, closedC
	return b, nil
}

// newBackend sets up a backend on nc: the cluster's resources, the reply
// and status subscriptions. The caller closes nc on error.
func newBackend(ctx context.Context, nc *nats.Conn, cfg *config) (*backend, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	limits := wire.DefaultLimits()
	limits.MaxBytes = defaultMaxValue
	// A shared value (Put) may be one big array: a []float64 of 50M is
	// 450 MB of CBOR. The element count needs no limit of its own beyond
	// MaxBytes, which already bounds what a decode allocates.
	limits.MaxArrayElements = defaultMaxValue
	codec, err := wire.New(limits)
	if err != nil {
		return nil, err
	}
	b := &backend{
		nc:        nc,
		codec:     codec,
		cfg:       cfg,
		inbox:     nc.NewInbox(),
		spill:     int(nc.MaxPayload()) - 1024,
		pending:   map[uint64]*pendingCall{},
		cancelled: map[uint64]bool{},
		cache:     newObjectCache(cfg.cacheBytes),
	}
	b.life, b.kill = context.WithCancel(context.Background())
	b.js, err = jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if err := b.ensure(ctx); err != nil {
		return nil, err
	}
	b.ackPrefix = nc.NewInbox() + "."
	b.ackSub, err = nc.Subscribe(b.ackPrefix+"*", b.onPubAck)
	if err != nil {
		return nil, fmt.Errorf("cluster: subscribing to acknowledgements: %w", err)
	}
	if err := b.ackSub.SetPendingLimits(-1, -1); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	b.replySub, err = nc.Subscribe(b.inbox, b.onResult)
	if err != nil {
		return nil, fmt.Errorf("cluster: subscribing to results: %w", err)
	}
	// A result dropped for a slow consumer would leave a future hanging:
	// queue them all.
	if err := b.replySub.SetPendingLimits(-1, -1); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if err := b.watchWorkers(ctx); err != nil {
		return nil, err
	}
	if err := b.heartbeat(ctx); err != nil {
		return nil, fmt.Errorf("cluster: announcing the client: %w", err)
	}
	nc.SetReconnectHandler(func(*nats.Conn) { b.reconnected() })
	b.bg.Go(b.watchLost)
	return b, nil
}

func (b *backend) client() *Client { return &Client{Remote: shoal.NewRemote(b), b: b} }

// heartbeats finds or creates a key-value bucket of heartbeats, whose
// entries expire after statusTTL.
func (b *backend) heartbeats(ctx context.Context, bucket, description string) (jetstream.KeyValue, error) {
	kv, err := b.js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = b.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      bucket,
			Description: description,
			TTL:         statusTTL,
			Storage:     jetstream.MemoryStorage,
			Replicas:    b.cfg.replicas,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = b.js.KeyValue(ctx, bucket)
		}
	}
	return kv, err
}

// every calls f every d until the backend closes.
func (b *backend) every(d time.Duration, f func()) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-b.life.Done():
			return
		case <-tick.C:
		}
		f()
	}
}

// ensure finds or creates the cluster's stream, heartbeat buckets and
// object store. Existing ones are used as they are: their settings belong to
// whoever created them.
func (b *backend) ensure(ctx context.Context) error {
	var err error
	b.stream, err = b.js.Stream(ctx, taskStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		b.stream, err = b.js.CreateStream(ctx, jetstream.StreamConfig{
			Name:        taskStream,
			Description: "shoal tasks",
			Subjects:    []string{taskSubjects},
			Retention:   jetstream.WorkQueuePolicy,
			Storage:     jetstream.MemoryStorage,
			Discard:     jetstream.DiscardNew,
			Replicas:    b.cfg.replicas,
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			b.stream, err = b.js.Stream(ctx, taskStream)
		}
	}
	if err != nil {
		return fmt.Errorf("cluster: task stream: %w", err)
	}
	if b.kv, err = b.heartbeats(ctx, statusBucket, "shoal workers"); err != nil {
		return fmt.Errorf("cluster: status bucket: %w", err)
	}
	if b.clients, err = b.heartbeats(ctx, clientBucket, "shoal clients"); err != nil {
		return fmt.Errorf("cluster: client bucket: %w", err)
	}
	b.objs, err = b.js.ObjectStore(ctx, objectBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		b.objs, err = b.js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:      objectBucket,
			Description: "shoal shared values",
			Storage:     jetstream.FileStorage,
			Replicas:    b.cfg.replicas,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			b.objs, err = b.js.ObjectStore(ctx, objectBucket)
		}
	}
	if err != nil {
		return fmt.Errorf("cluster: object store: %w", err)
	}
	return nil
}

// ensureConsumer finds or creates the workers' shared pull consumer.
func (b *backend) ensureConsumer(ctx context.Context) (jetstream.Consumer, error) {
	cons, err := b.stream.Consumer(ctx, consumerName)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		cons, err = b.stream.CreateConsumer(ctx, jetstream.ConsumerConfig{
			Durable:       consumerName,
			Description:   "shoal workers",
			FilterSubject: taskSubject,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       b.cfg.ackWait,
			MaxDeliver:    -1, // the task's own budget decides, see worker.lost
			MaxAckPending: b.cfg.maxAckPending,
			MaxWaiting:    4096,
		})
		if errors.Is(err, jetstream.ErrConsumerExists) {
			cons, err = b.stream.Consumer(ctx, consumerName)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: task consumer: %w", err)
	}
	return cons, nil
}

// Codec implements remote.Backend.
func (b *backend) Codec() remote.Codec { return b.codec }

// Slots implements remote.Backend: the slots of the workers heard from
// within the status TTL, at least 1.
func (b *backend) Slots() int { return max(1, b.workers.slots()) }

// Submit implements remote.Backend.
func (b *backend) Submit(ctx context.Context, c *remote.Call, done func([]remote.Result, error)) (cancel func()) {
	if err := ctx.Err(); err != nil {
		done(nil, err)
		return noCancel
	}
	id := b.seq.Add(1)
	t := taskMsg{
		ID:          id,
		Reply:       b.inbox,
		Name:        c.Name,
		Fingerprint: c.Fingerprint,
		Signature:   c.Signature,
		MaxDeliver:  1 + max(c.Retries, b.cfg.redeliver),
		Retries:     c.Retries,
		Timeout:     c.Timeout,
		Args:        c.Args,
	}
	pc := &pendingCall{id: id, name: c.Name, done: done, keep: c.Keep}
	if c.Pieces != nil {
		var err error
		if t.Pieces, pc.pieces, err = b.pieces(ctx, id, c.Pieces); err != nil {
			done(nil, fmt.Errorf("cluster: storing the argument of %s: %w", c.Name, err))
			return noCancel
		}
	}
	data := t.append(make([]byte, 0, t.size()))
	if len(data) > b.spill && c.Pieces == nil {
		// Too large for a message: the arguments go through the object
		// store, deleted when the call ends.
		t.Args, t.ArgsObject = nil, fmt.Sprintf("call.%s.%d", b.inbox, id)
		if err := b.putObject(ctx, t.ArgsObject, encodeList(c.Args)); err != nil {
			done(nil, fmt.Errorf("cluster: storing the arguments of %s: %w", c.Name, err))
			return noCancel
		}
		pc.object = t.ArgsObject
		data = t.append(make([]byte, 0, t.size()))
	}
	b.mu.Lock()
	if b.pending == nil {
		b.mu.Unlock()
		b.dropObject(pc.object)
		done(nil, ErrClosed)
		return noCancel
	}
	pc.data = data
	b.pending[id] = pc
	b.mu.Unlock()
	// A cancel may come before the publish below; it then finds no
	// sequence yet, and onPubAck deletes the task.
	var stop func() bool
	if ctx.Done() != nil { // a context that cannot end needs no watch
		stop = context.AfterFunc(ctx, func() { b.cancel(id, ctx.Err()) })
	}
	err := b.nc.PublishMsg(&nats.Msg{Subject: taskSubject, Reply: b.ackPrefix + strconv.FormatUint(id, 10), Data: data})
	if stop != nil {
		b.mu.Lock()
		pc.stop = stop
		ended := b.pending[id] != pc
		b.mu.Unlock()
		if ended {
			stop() // the call ended before the stop was stored
		}
	}
	if err != nil {
		b.complete(id, nil, fmt.Errorf("cluster: queueing %s: %w", c.Name, err))
	}
	return func() { b.cancel(id, context.Canceled) }
}

// noCancel is the cancel of a call that ended in Submit.
func noCancel() {}

// onPubAck handles the stream's acknowledgement of a task: its sequence,
// kept in case the call is cancelled while the task is queued, or the
// reason the stream refused it, which fails the call.
func (b *backend) onPubAck(m *nats.Msg) {
	id, err := strconv.ParseUint(strings.TrimPrefix(m.Subject, b.ackPrefix), 10, 64)
	if err != nil {
		return
	}
	seq, ok := ackSeq(m.Data)
	if !ok {
		seq, err = decodePubAck(m)
	}
	if err != nil {
		b.mu.Lock()
		pc := b.pending[id]
		b.mu.Unlock()
		if pc != nil {
			b.complete(id, nil, fmt.Errorf("cluster: queueing %s: %w", pc.name, err))
		}
		return
	}
	b.mu.Lock()
	if pc := b.pending[id]; pc != nil {
		pc.seq = seq
	}
	cancelled := b.cancelled[id]
	delete(b.cancelled, id)
	b.mu.Unlock()
	if cancelled {
		b.bg.Go(func() { b.deleteTask(seq) })
	}
}

// ackSeq reads the sequence of a successful acknowledgement, such as
// {"stream":"SHOAL_TASKS","seq":42}, without encoding/json, which costs a
// few microseconds of the driver's time per task. It reports false for
// anything else, which decodePubAck reads in full.
func ackSeq(data []byte) (uint64, bool) {
	if !bytes.HasPrefix(data, []byte(`{"stream":`)) || bytes.Contains(data, []byte(`"error"`)) {
		return 0, false
	}
	i := bytes.Index(data, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(`"seq":`):]
	var seq uint64
	n := 0
	for ; n < len(rest) && n < 19 && '0' <= rest[n] && rest[n] <= '9'; n++ {
		seq = seq*10 + uint64(rest[n]-'0')
	}
	if n == 0 || n == len(rest) || rest[n] != ',' && rest[n] != '}' {
		return 0, false
	}
	return seq, seq != 0
}

// decodePubAck returns the sequence an acknowledgement gives, or the
// reason the stream refused the task.
func decodePubAck(m *nats.Msg) (uint64, error) {
	var ack struct {
		Seq   uint64 `json:"seq"`
		Error *struct {
			Description string `json:"description"`
		} `json:"error"`
	}
	switch {
	case len(m.Data) == 0 && m.Header.Get("Status") == "503":
		return 0, errors.New("no task stream on the server")
	case json.Unmarshal(m.Data, &ack) != nil:
		return 0, fmt.Errorf("bad acknowledgement %q", m.Data)
	case ack.Error != nil:
		return 0, errors.New(ack.Error.Description)
	case ack.Seq == 0:
		return 0, fmt.Errorf("bad acknowledgement %q", m.Data)
	}
	return ack.Seq, nil
}

// reconnected finds the calls whose answers the connection may have lost
// while it was down: answers travel over core NATS, so one a worker sent
// meanwhile is gone, and its task, acknowledged by the worker, is gone from
// the queue too. Every lostGrace, then at doubling intervals up to the
// AckWait, it asks the queue about each call pending when the connection
// came back: a call whose task is no longer queued or running, or never
// reached the queue (no acknowledgement came), and still has no answer,
// is sent again; its function runs again, and its future completes with
// the first answer, as after a lost worker. It stops once every such call
// has ended, or the backend closes.
func (b *backend) reconnected() {
	b.mu.Lock()
	ids := make(map[uint64]bool, len(b.pending))
	for id := range b.pending {
		ids[id] = true
	}
	b.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	b.bg.Go(func() {
		wait := b.cfg.lostGrace
		for len(ids) > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-b.life.Done():
				t.Stop()
				return
			}
			b.resendLost(ids)
			wait = min(2*wait, max(b.cfg.ackWait, b.cfg.lostGrace))
		}
	})
}

// resendLost sends again the calls of ids whose answers are lost, and
// removes from ids those that ended or were sent again.
func (b *backend) resendLost(ids map[uint64]bool) {
	for id := range ids {
		b.mu.Lock()
		pc := b.pending[id]
		var seq uint64
		if pc != nil {
			seq = pc.seq
		}
		b.mu.Unlock()
		if pc == nil {
			delete(ids, id) // answered or ended
			continue
		}
		if seq != 0 {
			ctx, cancel := b.opContext(5 * time.Second)
			_, err := b.stream.GetMsg(ctx, seq)
			cancel()
			if !errors.Is(err, jetstream.ErrMsgNotFound) {
				continue // queued or running (its answer will come), or no telling yet
			}
		}
		b.mu.Lock()
		if b.pending[id] != pc {
			b.mu.Unlock()
			delete(ids, id)
			continue
		}
		pc.seq = 0 // the new acknowledgement gives the new one
		b.mu.Unlock()
		if err := b.nc.PublishMsg(&nats.Msg{Subject: taskSubject, Reply: b.ackPrefix + strconv.FormatUint(id, 10), Data: pc.data}); err == nil {
			delete(ids, id)
		}
	}
}

// take removes the pending call id, reporting whether it was there: the
// one place that decides which outcome of a call counts.
// It returns the call's stop, read under the lock.
func (b *backend) take(id uint64) (*pendingCall, func() bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pc := b.pending[id]
	if pc == nil {
		return nil, nil
	}
	delete(b.pending, id)
	return pc, pc.stop
}

// complete ends call id with res or err, unless it already ended: a task
// that ran twice answers twice, and the second answer is dropped here.
func (b *backend) complete(id uint64, res []remote.Result, err error) {
	pc, stop := b.take(id)
	if pc == nil {
		return
	}
	if stop != nil {
		stop()
	}
	pc.done(res, err)
	b.dropObject(pc.object)
	b.dropObjects(pc.pieces)
}

// cancel ends call id with err, as its context is done, and stops its task:
// deleted from the queue if still there, cancelled on the worker running it.
func (b *backend) cancel(id uint64, err error) {
	b.mu.Lock()
	pc := b.pending[id]
	var seq uint64
	if pc != nil {
		delete(b.pending, id)
		if seq = pc.seq; seq == 0 {
			b.cancelled[id] = true // not acknowledged yet: onPubAck deletes it
		}
	}
	b.mu.Unlock()
	if pc == nil {
		return
	}
	pc.done(nil, err)
	if !b.bg.enter() {
		return
	}
	defer b.bg.leave()
	_ = b.nc.Publish(cancelSubject, cancelMsg{Reply: b.inbox, ID: id}.append(nil)) // best effort: the task is deleted or ignored anyway
	if seq != 0 {
		b.deleteTask(seq)
	}
	if pc.object != "" {
		b.deleteObject(pc.object)
	}
	b.dropObjects(pc.pieces)
}

// deleteTask removes a cancelled call's task from the queue. An error
// means it is gone already: done, or running (the broadcast stops it).
func (b *backend) deleteTask(seq uint64) {
	ctx, cancel := b.opContext(5 * time.Second)
	defer cancel()
	_ = b.stream.DeleteMsg(ctx, seq)
}

// onResult handles a worker's answer on the reply subject.
func (b *backend) onResult(m *nats.Msg) {
	r, err := decodeResult(m.Data)
	if err != nil {
		return // not from a worker of ours: nobody to tell
	}
	if r.Held != "" {
		b.held(r)
		return
	}
	if lose := b.loseResult.Load(); lose != nil && (*lose)(r.ID) {
		return // a test's lost answer
	}
	switch {
	case r.Err != nil:
		b.complete(r.ID, nil, fromWire(r.Err, r.Worker))
	case r.Object != "":
		if b.keepResult(r) {
			return
		}
		// Too large for a message: fetch it off the subscription's
		// goroutine.
		if !b.bg.Go(func() { b.fetchResult(r) }) {
			b.complete(r.ID, nil, ErrClosed)
		}
	default:
		b.complete(r.ID, results(r.Items, r.Worker), nil)
	}
}

func (b *backend) fetchResult(r *resultMsg) {
	ctx, cancel := b.opContext(fetchTimeout)
	defer cancel()
	data, err := b.getObject(ctx, r.Object)
	b.deleteObject(r.Object)
	var items []item
	if err == nil {
		items, err = decodeItems(data)
	}
	if err != nil {
		b.complete(r.ID, nil, fmt.Errorf("cluster: fetching a result from worker %s: %w", r.Worker, err))
		return
	}
	b.complete(r.ID, results(items, r.Worker), nil)
}

func results(items []item, worker string) []remote.Result {
	res := make([]remote.Result, len(items))
	for i, it := range items {
		if it.Err != nil {
			res[i].Err = fromWire(it.Err, worker)
		} else {
			res[i].Value = it.Value
		}
	}
	return res
}

// dropObject deletes a spilled object in the background.
func (b *backend) dropObject(name string) {
	if name != "" {
		b.bg.Go(func() { b.deleteObject(name) })
	}
}

func (b *backend) deleteObject(name string) {
	ctx, cancel := b.opContext(10 * time.Second)
	defer cancel()
	_ = b.objs.Delete(ctx, name) // already gone is fine
}

// opContext returns a context for background work of the backend: it
// ends after d, or when the backend closes.
func (b *backend) opContext(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.life, d)
}

// close fails the calls in flight and releases the backend; it closes the
// connection if the backend owns it.
func (b *backend) close() error {
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	stops := make(map[uint64]func() bool, len(pending))
	for id, pc := range pending {
		stops[id] = pc.stop
	}
	b.mu.Unlock()
	if pending == nil {
		return nil
	}
	for id, pc := range pending {
		if stop := stops[id]; stop != nil {
			stop()
		}
		pc.done(nil, ErrClosed)
		if pc.object != "" {
			b.deleteObject(pc.object)
		}
		b.dropObjects(pc.pieces)
	}
	b.dropKept()
	b.dropEntry()
	b.kill()
	for _, sub := range []*nats.Subscription{b.replySub, b.ackSub, b.statusSub} {
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	}
	b.bg.close()
	if b.ownConn {
		_ = b.nc.Flush()
		b.nc.Close()
	}
	return nil
}

// tracker owns goroutines started from callbacks: close refuses new ones
// and waits for those running.
type tracker struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

// enter registers the calling goroutine, unless the tracker is closed.
func (t *tracker) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	return true
}

func (t *tracker) leave() { t.wg.Done() }

// Go runs f on a new goroutine, unless the tracker is closed.
func (t *tracker) Go(f func()) bool {
	if !t.enter() {
		return false
	}
	go func() {
		defer t.leave()
		f()
	}()
	return true
}

func (t *tracker) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}

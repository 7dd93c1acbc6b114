package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/internal/remote"
)

// Serve runs a worker in this process: it connects to the cluster at url
// (Token, CredsFile, TLS or TLSFiles options) and runs the tasks of the
// cluster's queue, Slots at once, until ctx is done or the connection is
// lost for good. Only functions registered in this binary run; a task
// naming another function, or one whose signature differs from the
// driver's, fails with an error saying so. While the connection is down
// the worker reconnects, for as long as it takes.
//
// When ctx is done Serve stops taking tasks and puts those not yet started
// back in the queue; it lets the running ones finish for the Grace period
// (none by default), then cancels their contexts and puts them back in the
// queue too (another worker runs them), waits for them to return, and
// returns nil. A task that ignores its context keeps Serve waiting. It
// returns an error if it cannot connect, or when it loses the connection
// for good; then it does not wait for the Grace period.
//
// Serve leaves the process's progress output alone; Main, in a worker
// process, sends it nowhere (see WorkerProgress).
func Serve(ctx context.Context, url string, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if cfg.id == "" {
		cfg.id = defaultID()
	}
	b, err := connect(ctx, url, cfg, "shoal worker "+cfg.id)
	if err != nil {
		return err
	}
	defer b.close()
	w, err := newWorker(ctx, b, cfg)
	if err != nil {
		return err
	}
	return w.run(ctx)
}

var (
	errShutdown    = errors.New("cluster: worker stopping")
	errCancelled   = errors.New("cluster: cancelled by the driver")
	errConnClosed  = errors.New("cluster: connection to the server lost")
	pullExpires    = 5 * time.Second      // how long one request for tasks waits
	shortTask      = 5 * time.Millisecond // tasks shorter than this are fetched ahead
	cancelledKeep  = time.Minute          // how long a cancel is remembered for a task not yet seen
	statusDeadline = 2 * time.Second
	// How long an answer of the queue about idle slots holds (see
	// worker.saturated), and how long the question may take.
	saturationTTL     = 25 * time.Millisecond
	saturationTimeout = 100 * time.Millisecond
)

// worker takes tasks off the queue and runs them, at most slots at once.
type worker struct {
	id      string
	host    string
	b       *backend
	exec    *Client // what shoal.From returns in a task: nested work goes back to the cluster
	puller  *puller
	cons    jetstream.Consumer
	ackWait time.Duration
	slots   *slots
	nslots  int
	grace   time.Duration
	started time.Time

	tasks   sync.WaitGroup // one per task goroutine
	clients clientTable    // whose tasks to drop (clients.go)

	mu        sync.Mutex
	stopping  bool
	running   map[callKey]*task
	cancelled map[callKey]time.Time

	done, failed atomic.Uint64
	taskTime     atomic.Int64 // moving average of task run times, in ns; -1 before the first

	// What the queue last said about idle slots elsewhere (see saturated).
	noInline bool // nested chunks always go through the queue
	satMu    sync.Mutex
	sat      atomic.Bool
	satAt    atomic.Int64 // when sat was asked, in Unix ns
}

// callKey identifies a call across clients.
type callKey struct {
	reply string
	id    uint64
}

func newWorker(ctx context.Context, b *backend, cfg *config) (*worker, error) {
	cons, err := b.ensureConsumer(ctx)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	k := cfg.slots
	if k == 0 {
		k = runtime.GOMAXPROCS(0)
	}
	w := &worker{
		id:        cfg.id,
		host:      host,
		b:         b,
		cons:      cons,
		noInline:  cfg.noInline,
		exec:      b.client(),
		ackWait:   cons.CachedInfo().Config.AckWait,
		slots:     newSlots(k),
		nslots:    k,
		grace:     cfg.grace,
		started:   time.Now(),
		running:   map[callKey]*task{},
		cancelled: map[callKey]time.Time{},
	}
	if w.ackWait <= 0 {
		w.ackWait = defaultAckWait
	}
	w.taskTime.Store(-1)
	if w.puller, err = newPuller(b.nc, taskStream, consumerName, pullExpires, w.start); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *worker) run(ctx context.Context) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// life outlasts ctx until the tasks in hand are done: their keepalives
	// and the worker's heartbeats go on while they finish.
	life, end := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	defer bg.Wait() // after end below: the goroutines end with life
	defer end()
	bg.Go(func() {
		select {
		case <-w.b.closedC:
			stop(errConnClosed)
		case <-life.Done():
		}
	})
	sub, err := w.b.nc.Subscribe(cancelSubject, w.onCancel)
	if err != nil {
		return fmt.Errorf("cluster: subscribing to cancels: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	csub, err := w.b.watchClients(ctx, &w.clients)
	if err != nil {
		return fmt.Errorf("cluster: following clients: %w", err)
	}
	defer func() { _ = csub.Unsubscribe() }()
	if err := w.putStatus(ctx); err != nil {
		return fmt.Errorf("cluster: announcing worker %s: %w", w.id, err)
	}
	bg.Go(func() { w.heartbeat(life) })
	bg.Go(func() { w.keepalive(life) })

	w.pull(ctx)
	w.drain(ctx)
	end()
	bg.Wait()

	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusDeadline)
	_ = w.b.kv.Delete(dctx, w.id)
	cancel()
	if err := context.Cause(ctx); errors.Is(err, errConnClosed) {
		return fmt.Errorf("cluster: worker %s: %w", w.id, err)
	}
	return nil
}

// drain stops the worker once ctx is done: it takes no more tasks, puts
// back in the queue those not yet started, gives the running ones the grace
// period to finish (none if the connection is lost for good), then cancels
// them and puts them back too, and waits for them to return.
func (w *worker) drain(ctx context.Context) {
	grace := w.grace
	if errors.Is(context.Cause(ctx), errConnClosed) {
		grace = 0
	}
	w.puller.stop()
	w.mu.Lock()
	w.stopping = true // from now on, tasks that arrive go back at once
	for _, t := range w.running {
		if grace == 0 || !t.begun {
			t.cancel(errShutdown)
		}
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.tasks.Wait() // under w.mu, no task is added once stopping is set
		close(done)
	}()
	if grace > 0 {
		timer := time.NewTimer(grace)
		select {
		case <-done:
		case <-timer.C:
		case <-w.b.closedC:
		}
		timer.Stop()
		w.mu.Lock()
		for _, t := range w.running {
			t.cancel(errShutdown)
		}
		w.mu.Unlock()
	}
	<-done
}

// pull keeps the worker's requests for tasks matched to its idle slots,
// plus a few more while its tasks are short (see ahead).
func (w *worker) pull(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		ahead := w.ahead()
		capacity := w.slots.idle() + ahead
		out := w.puller.outstanding()
		// Ask in batches of about half of what the worker could take, or
		// at once when nothing is on its way.
		if want := capacity - out; want > 0 && (out == 0 || want >= max(1, (w.nslots+ahead)/2)) {
			if err := w.puller.request(want); err != nil && ctx.Err() == nil {
				w.logf("requesting tasks: %v", err)
				sleep(ctx, 250*time.Millisecond)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.slots.freed:
		case <-w.puller.wake:
		case <-tick.C:
		}
	}
}

// task is a message being handled: waiting for a slot, running, or
// answering.
type task struct {
	w      *worker
	msg    *nats.Msg // the latest delivery, under w.mu
	t      *taskMsg
	fn     *remote.Func
	key    callKey
	ctx    context.Context
	cancel context.CancelCauseFunc
	lent   atomic.Bool
	begun  bool      // it has taken its slot and runs, under w.mu
	since  time.Time // when it came to this worker
	told   bool      // its client has a held notice for its latest delivery, under w.mu
}

// start registers msg and hands it to a goroutine of its own.
func (w *worker) start(msg *nats.Msg) {
	t, err := decodeTask(msg.Data)
	if err != nil {
		// Nobody to answer: the reply subject is in the bad message.
		w.logf("dropping a task: %v", err)
		w.ack(msg, ackTerm, err.Error())
		return
	}
	if !strings.HasPrefix(t.Reply, nats.InboxPrefix) {
		// Answers go to clients' inboxes only, never to another subject
		// a crafted task names.
		w.logf("dropping a task of %s: reply subject %q is not an inbox", t.Name, t.Reply)
		w.ack(msg, ackTerm, "reply subject is not an inbox")
		return
	}
	key := callKey{t.Reply, t.ID}
	w.mu.Lock()
	if w.stopping {
		w.mu.Unlock()
		w.ack(msg, ackNak, "")
		return
	}
	if _, ok := w.cancelled[key]; ok {
		w.mu.Unlock()
		w.ack(msg, ackTerm, "cancelled")
		return
	}
	if w.clients.gone(t.Reply) {
		w.mu.Unlock()
		w.dropOrphan(msg, t)
		return
	}
	if tk := w.running[key]; tk != nil {
		// Redelivered to the worker already running it (its keepalives
		// came late): go on, answering for the latest delivery.
		tk.msg = msg
		tk.told = w.tellSoon(t)
		w.mu.Unlock()
		if tk.told {
			w.tellHeld(t, msg)
		}
		return
	}
	tk := &task{w: w, msg: msg, t: t, key: key, since: time.Now(), told: w.tellSoon(t)}
	tk.ctx, tk.cancel = context.WithCancelCause(context.Background())
	w.running[key] = tk
	w.tasks.Add(1) // under mu: run's Wait comes after stopping is set
	w.slots.promise()
	w.mu.Unlock()
	if tk.told {
		w.tellHeld(t, msg)
	}
	go tk.run()
}

// tellHeld tells the client of t that this worker has its task in hand,
// and which subject acknowledges its message, so that the client can put
// it back in the queue at once should this worker die (see lost.go). The
// notice goes before the answer, on the same subject, so it arrives first.
// It is best effort: a client that misses it waits out the AckWait.
func (w *worker) tellHeld(t *taskMsg, msg *nats.Msg) {
	r := resultMsg{ID: t.ID, Worker: w.id, Held: msg.Reply}
	_ = w.b.nc.Publish(t.Reply, r.append(make([]byte, 0, r.size())))
}

// tellSoon reports whether t's client gets its held notice as the task
// arrives. Tasks of one item that take under heldQuick on average get it
// only once held for heldLate (see tellLate): a notice is a message more
// per task, some 10% of a tiny task's cost. A Map's chunks, sized to take
// milliseconds, always get it at once.
func (w *worker) tellSoon(t *taskMsg) bool {
	d := time.Duration(w.taskTime.Load())
	return len(t.Args) > 1 || d < 0 || d >= heldQuick
}

// message returns the task's latest delivery.
func (tk *task) message() *nats.Msg {
	tk.w.mu.Lock()
	defer tk.w.mu.Unlock()
	return tk.msg
}

func (tk *task) run() {
	w, t := tk.w, tk.t
	defer w.tasks.Done()
	defer func() {
		w.mu.Lock()
		delete(w.running, tk.key)
		w.mu.Unlock()
		tk.cancel(nil)
	}()
	args, callErr := tk.prepare()
	if callErr != nil {
		w.slots.unpromise()
		if tk.stopped() {
			return
		}
		w.failed.Add(uint64(max(1, len(t.Args))))
		tk.answer(&resultMsg{ID: t.ID, Worker: w.id, Err: toWire(callErr)})
		w.ack(tk.message(), ackTerm, callErr.Error())
		return
	}
	var items []item
	if w.slots.acquire(true, tk.ctx.Done()) {
		if tk.begin() {
			t0 := time.Now()
			items = tk.execute(args)
			w.observe(time.Since(t0))
			if !tk.lent.Load() {
				w.slots.release()
			}
		} else {
			w.slots.release()
		}
	}
	if tk.stopped() {
		return
	}
	tk.answer(&resultMsg{ID: t.ID, Worker: w.id, Items: items})
	w.ack(tk.message(), ackAck, "")
}

// begin marks the task as running, once it has its slot, and reports
// whether it may run: a worker that started to stop meanwhile puts it back
// in the queue instead.
func (tk *task) begin() bool {
	tk.w.mu.Lock()
	defer tk.w.mu.Unlock()
	if tk.w.stopping {
		tk.cancel(errShutdown)
		return false
	}
	tk.begun = true
	return true
}

// stopped reports whether the task was stopped rather than run to its
// end, and if so disposes of its message: back to the queue when the
// worker is stopping, dropped when the driver cancelled it. Either way
// there is nobody to answer.
func (tk *task) stopped() bool {
	switch context.Cause(tk.ctx) {
	case errShutdown:
		tk.w.ack(tk.message(), ackNak, "") // another worker runs it
		return true
	case errCancelled:
		tk.w.ack(tk.message(), ackTerm, "cancelled") // the driver has moved on
		return true
	case ErrClientGone:
		tk.w.dropOrphan(tk.message(), tk.t)
		return true
	}
	return false
}

// dropOrphan drops a task whose client is gone: it answers it with
// ErrClientGone, in case the client is there after all, and takes it off
// the queue.
func (w *worker) dropOrphan(m *nats.Msg, t *taskMsg) {
	err := fmt.Errorf("%w: %s dropped by worker %s, its client not heard from", ErrClientGone, t.Name, w.id)
	r := &resultMsg{ID: t.ID, Worker: w.id, Err: toWire(err)}
	_ = w.b.nc.Publish(t.Reply, r.append(make([]byte, 0, r.size())))
	w.ack(m, ackTerm, "client gone")
}

// dropOrphans cancels the running tasks whose clients are gone, and
// forgets clients gone long ago.
func (w *worker) dropOrphans() {
	w.mu.Lock()
	for _, tk := range w.running {
		if w.clients.gone(tk.t.Reply) {
			tk.cancel(ErrClientGone)
		}
	}
	w.mu.Unlock()
	w.clients.prune()
}

// heldQuick is the average run time under which a task of one item gets
// its held notice late (see tellSoon).
const heldQuick = time.Millisecond

// ahead returns how many tasks to hold beyond the idle slots: while tasks
// take under a millisecond, 4 per slot (at least 8), so tiny tasks never
// wait a round trip; under shortTask, one per slot; none for longer tasks
// (or before the first has run), so that they never wait behind each other
// while another worker is idle.
func (w *worker) ahead() int {
	switch d := time.Duration(w.taskTime.Load()); {
	case d < 0:
		return 0
	case d < time.Millisecond:
		return max(8, 4*w.nslots)
	case d < shortTask:
		return w.nslots
	}
	return 0
}

// observe folds a task's run time into the moving average (weight 1/8).
func (w *worker) observe(d time.Duration) {
	for {
		old := w.taskTime.Load()
		avg := int64(d)
		if old >= 0 {
			avg = old + (avg-old)/8
		}
		if w.taskTime.CompareAndSwap(old, avg) {
			return
		}
	}
}

// Acknowledgements of a task message, as the JetStream protocol spells
// them.
const (
	ackAck      = "+ACK"
	ackNak      = "-NAK" // not "+NAK", which the server ignores
	ackTerm     = "+TERM"
	ackProgress = "+WPI"
)

// ack tells the queue what became of m: done, to run again, never to run,
// or still running. A lost ack costs a redelivery, never a result.
func (w *worker) ack(m *nats.Msg, kind, reason string) {
	body := kind
	if reason != "" {
		body += " " + reason
	}
	_ = w.b.nc.Publish(m.Reply, []byte(body))
}

// prepare checks the task can run here and returns its arguments, or the
// error that fails the whole call.
func (tk *task) prepare() ([][]byte, error) {
	w, t := tk.w, tk.t
	if md, err := tk.message().Metadata(); err == nil && int(md.NumDelivered) > t.MaxDeliver {
		return nil, fmt.Errorf("%w: task %s was handed to workers %d times and none finished it (workers killed, stopped or unresponsive for the ack wait)",
			ErrLostWorker, t.Name, md.NumDelivered-1)
	}
	fn, ok := remote.Lookup(t.Name)
	if !ok {
		return nil, fmt.Errorf("%w: worker %s has no function %q (%s); register it in the worker's binary", shoal.ErrNotRegistered, w.id, t.Name, t.Signature)
	}
	if fn.Fingerprint != t.Fingerprint {
		return nil, fmt.Errorf("%w: %s is %s on the driver but %s on worker %s (rebuild both from the same code)",
			ErrSignature, t.Name, t.Signature, fn.Signature, w.id)
	}
	tk.fn = fn
	if t.Pieces != nil {
		arg, err := w.assemble(tk.ctx, t.Pieces)
		if err != nil {
			return nil, fmt.Errorf("cluster: reading the argument of %s: %w", t.Name, err)
		}
		return [][]byte{arg}, nil
	}
	if t.ArgsObject == "" {
		return t.Args, nil
	}
	data, err := w.b.getObject(tk.ctx, t.ArgsObject)
	if err != nil {
		return nil, fmt.Errorf("cluster: fetching the arguments of %s: %w", t.Name, err)
	}
	return decodeList(data)
}

// execute runs the function on each argument, with the call's per-attempt
// timeout and retries.
func (tk *task) execute(args [][]byte) []item {
	ctx := remote.TaskContext(tk.ctx, tk.w.exec, tk)
	return tk.w.runItems(ctx, tk.ctx, tk.fn, args, tk.t.Retries, tk.t.Timeout)
}

// runItems runs fn on each argument with ctx, each with up to retries
// more attempts of at most timeout (0: none). An item not started when
// stop is done fails with its error.
func (w *worker) runItems(ctx, stop context.Context, fn *remote.Func, args [][]byte, retries int, timeout time.Duration) []item {
	items := make([]item, len(args))
	for i, arg := range args {
		if err := stop.Err(); err != nil {
			items[i].Err = toWire(err)
			continue
		}
		for attempt := 0; ; attempt++ {
			v, err := w.invoke(ctx, fn, arg, timeout)
			if err == nil {
				items[i].Value = v
				w.done.Add(1)
				break
			}
			if attempt >= retries || stop.Err() != nil {
				items[i].Err = toWire(err)
				w.failed.Add(1)
				break
			}
		}
	}
	return items
}

// invoke runs one attempt, turning a panic outside the function (in
// decoding or encoding) into the item's error too.
func (w *worker) invoke(ctx context.Context, fn *remote.Func, arg []byte, timeout time.Duration) (v []byte, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = &shoal.PanicError{Value: p, Stack: stack()}
		}
	}()
	return fn.Invoke(ctx, w.b.codec, arg)
}

// RunInline implements remote.Inliner: a chunk of a nested call runs in
// the task's goroutine and slot while the cluster has no idle slot to take
// it, as it would run on a worker: the same decoding, retries, timeouts and
// errors, without the queue's messages. A task whose slot is lent (it is
// waiting elsewhere) sends its chunks to the queue instead.
func (tk *task) RunInline(ctx context.Context, c *remote.Call) ([]remote.Result, bool) {
	w := tk.w
	if tk.lent.Load() || w.noInline || !w.saturated() {
		return nil, false
	}
	fn, ok := remote.Lookup(c.Name)
	if !ok || fn.Fingerprint != c.Fingerprint {
		return nil, false // the queue's worker says what is wrong
	}
	return results(w.runItems(ctx, ctx, fn, c.Args, c.Retries, c.Timeout), w.id), true
}

// saturated reports whether the cluster has no idle slot for more work:
// no worker is waiting for tasks, or tasks are queued for those that are.
// It asks the queue at most every saturationTTL, and not at all while
// another goroutine is asking; it says false when the queue cannot tell.
func (w *worker) saturated() bool {
	if time.Since(time.Unix(0, w.satAt.Load())) < saturationTTL || !w.satMu.TryLock() {
		return w.sat.Load()
	}
	defer w.satMu.Unlock()
	ctx, cancel := w.b.opContext(saturationTimeout)
	info, err := w.cons.Info(ctx)
	cancel()
	sat := err == nil && (info.NumWaiting == 0 || info.NumPending > 0)
	w.sat.Store(sat)
	w.satAt.Store(time.Now().UnixNano())
	return sat
}

// Block implements remote.Lender: a task waiting on sub-tasks lends its
// slot to the next task.
func (tk *task) Block() bool {
	if !tk.lent.CompareAndSwap(false, true) {
		return false // lent already, by another wait of the same task
	}
	tk.w.slots.release()
	return true
}

// Resume implements remote.Lender.
func (tk *task) Resume() {
	tk.w.slots.acquire(false, nil)
	tk.lent.Store(false)
}

// answer sends r to the task's client, through the object store if too
// large for a message.
func (tk *task) answer(r *resultMsg) {
	w := tk.w
	data := r.append(make([]byte, 0, r.size()))
	if len(data) > w.b.spill && r.Err == nil {
		name := fmt.Sprintf("result.%s.%s", w.id, nuid.Next())
		ctx, cancel := w.b.opContext(fetchTimeout)
		err := w.b.putObject(ctx, name, encodeItems(r.Items))
		cancel()
		if err != nil {
			r = &resultMsg{ID: r.ID, Worker: w.id, Err: toWire(fmt.Errorf("cluster: storing the results of %s: %w", tk.t.Name, err))}
		} else {
			r = &resultMsg{ID: r.ID, Worker: w.id, Object: name}
		}
		data = r.append(make([]byte, 0, r.size()))
	}
	if err := w.b.nc.Publish(tk.t.Reply, data); err != nil {
		w.logf("answering %s: %v", tk.t.Name, err)
	}
}

// onCancel stops a task the driver cancelled, or remembers the cancel in
// case the task is still on its way.
func (w *worker) onCancel(m *nats.Msg) {
	c, err := decodeCancel(m.Data)
	if err != nil {
		return
	}
	key := callKey{c.Reply, c.ID}
	w.mu.Lock()
	tk := w.running[key]
	w.cancelled[key] = time.Now()
	w.mu.Unlock()
	if tk != nil {
		tk.cancel(errCancelled)
	}
}

// keepalive tells the queue, every AckWait/3, that the tasks in hand are
// still being worked on, and forgets old cancels.
func (w *worker) keepalive(ctx context.Context) {
	tick := time.NewTicker(w.ackWait / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.mu.Lock()
		msgs := make([]*nats.Msg, 0, len(w.running))
		for _, tk := range w.running {
			msgs = append(msgs, tk.msg)
		}
		for k, at := range w.cancelled {
			if time.Since(at) > cancelledKeep {
				delete(w.cancelled, k)
			}
		}
		w.mu.Unlock()
		for _, m := range msgs {
			w.ack(m, ackProgress, "")
		}
	}
}

// heartbeat writes the worker's status every statusEvery, and every
// heldLate sends the held notices of quick tasks that have turned out to
// take a while (see tellSoon).
func (w *worker) heartbeat(ctx context.Context) {
	tick := time.NewTicker(heldLate)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.tellLate()
		if time.Since(last) < statusEvery {
			continue
		}
		last = time.Now()
		w.dropOrphans()
		if err := w.putStatus(ctx); err != nil && ctx.Err() == nil {
			w.logf("writing status: %v", err)
		}
	}
}

// heldLate is how long a task may be in hand before its client has its
// held notice.
const heldLate = 100 * time.Millisecond

// tellLate sends the held notices of the tasks held for heldLate whose
// clients have none yet.
func (w *worker) tellLate() {
	type notice struct {
		t   *taskMsg
		msg *nats.Msg
	}
	var late []notice
	w.mu.Lock()
	for _, tk := range w.running {
		if !tk.told && time.Since(tk.since) >= heldLate {
			tk.told = true
			late = append(late, notice{tk.t, tk.msg})
		}
	}
	w.mu.Unlock()
	for _, n := range late {
		w.tellHeld(n.t, n.msg)
	}
}

func (w *worker) putStatus(ctx context.Context) error {
	w.mu.Lock()
	running := len(w.running)
	w.mu.Unlock()
	s := WorkerStatus{
		ID:      w.id,
		Host:    w.host,
		PID:     os.Getpid(),
		Slots:   w.nslots,
		Running: running,
		Done:    w.done.Load(),
		Failed:  w.failed.Load(),
		Fetched: w.b.fetched.Load(),
		Started: w.started,
		Updated: time.Now(),
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, statusDeadline)
	defer cancel()
	_, err = w.b.kv.Put(ctx, w.id, data)
	return err
}

func (w *worker) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "shoal worker %s: %s\n", w.id, fmt.Sprintf(format, args...))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func stack() []byte {
	buf := make([]byte, 64<<10)
	return buf[:runtime.Stack(buf, false)]
}

// keySafe makes s a valid key of the status bucket.
func keySafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '=', r == '.':
			return r
		}
		return '_'
	}, s)
}

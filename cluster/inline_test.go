package cluster_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(nestFail, shoal.Name("nestFail"))
	shoal.Register(failOdd, shoal.Name("failOdd"))
}

var errOdd = errors.New("odd")

func failOdd(_ context.Context, x int) (int, error) {
	if x%2 == 1 {
		return 0, errOdd
	}
	return x, nil
}

// nestFail maps failOdd over 0..n-1 on the executor running it and
// returns the error, or the sum.
func nestFail(ctx context.Context, n int) (int, error) {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	out, err := shoal.Map(ctx, shoal.From(ctx), in, failOdd)
	sum := 0
	for _, v := range out {
		sum += v
	}
	return sum, err
}

// oneWorker is a cluster of one worker in the test process.
type oneWorker struct {
	cl         *cluster.Client
	url, token string
	js         jetstream.JetStream // on a connection of the test's own
	sent       func() uint64       // how many tasks went through the queue so far
}

// serveOne runs one worker of one slot in this process on a server of its
// own, and returns a client of that cluster.
func serveOne(t *testing.T, opts ...cluster.Option) oneWorker {
	t.Helper()
	url, token, stop, err := cluster.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- cluster.Serve(ctx, url, append([]cluster.Option{cluster.Token(token), cluster.Slots(1)}, opts...)...)
	}()
	cl, err := cluster.Connect(ctxFor(t, 30*time.Second), url, cluster.Token(token))
	if err != nil {
		cancel()
		<-served
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cl.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := stop(); err != nil {
			t.Errorf("stopping the server: %v", err)
		}
	})
	nc, err := nats.Connect(url, nats.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	sent := func() uint64 {
		s, err := js.Stream(ctxFor(t, 5*time.Second), "SHOAL_TASKS")
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().State.LastSeq
	}
	return oneWorker{cl: cl, url: url, token: token, js: js, sent: sent}
}

// On a worker whose one slot its task holds, nested maps run in the
// task's own goroutine (no other slot is idle); with NoInline they go
// through the queue and the task lends its slot while it waits. Either
// way depth 3 completes, and errors come back as from the queue.
func TestNestedOneSlotInlineAndQueued(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []cluster.Option
		sent uint64 // tasks through the queue for nest(3)
	}{
		{"inline", nil, 1},
		{"queued", []cluster.Option{cluster.NoInline()}, 1 + 2 + 4 + 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serveOne(t, tc.opts...)
			cl := w.cl
			ctx := ctxFor(t, 30*time.Second)
			got, err := shoal.Submit(ctx, cl, nest, 3).Get(ctx)
			if err != nil || got != 8 {
				t.Fatalf("nest(3) = %d, %v; want 8, nil", got, err)
			}
			if n := w.sent(); n != tc.sent {
				t.Errorf("nest(3) sent %d tasks through the queue; want %d", n, tc.sent)
			}
			_, err = shoal.Submit(ctx, cl, nestFail, 10).Get(ctx)
			if err == nil || !strings.Contains(err.Error(), "odd") {
				t.Fatalf("nestFail(10): err = %v; want the odd item's error", err)
			}
			if got, err := shoal.Submit(ctx, cl, nestFail, 1).Get(ctx); err != nil || got != 0 {
				t.Fatalf("nestFail(1) = %d, %v; want 0, nil", got, err)
			}
		})
	}
}

func init() {
	shoal.Register(nestWait, shoal.Name("nestWait"))
	shoal.Register(waitItem, shoal.Name("waitItem"))
}

// waiters holds, per test key, what waitItem reports: started when it
// runs, stopped when its context ends. The worker of serveOne runs in the
// test process, so the test sees them.
var waiters sync.Map // key → *waiter

type waiter struct{ started, stopped chan struct{} }

func waitItem(ctx context.Context, key string) (int, error) {
	v, _ := waiters.Load(key)
	w := v.(*waiter)
	close(w.started)
	<-ctx.Done()
	close(w.stopped)
	return 0, ctx.Err()
}

// nestWait maps waitItem over key in a nested map.
func nestWait(ctx context.Context, key string) (int, error) {
	out, err := shoal.Map(ctx, shoal.From(ctx), []string{key}, waitItem)
	if err != nil {
		return 0, err
	}
	return out[0], nil
}

// Cancelling the driver's call reaches an item of a nested map running in
// its task's slot, and the worker goes on.
func TestNestedInlineCancel(t *testing.T) {
	w := serveOne(t)
	ctx := ctxFor(t, 30*time.Second)
	wt := &waiter{started: make(chan struct{}), stopped: make(chan struct{})}
	waiters.Store(t.Name(), wt)
	cctx, cancel := context.WithCancel(ctx)
	f := shoal.Submit(cctx, w.cl, nestWait, t.Name())
	select {
	case <-wt.started:
	case <-ctx.Done():
		t.Fatal("the nested item never started")
	}
	if n := w.sent(); n != 1 {
		t.Errorf("%d tasks through the queue; want 1 (the nested map inline)", n)
	}
	cancel()
	if _, err := f.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Get after cancel: err = %v; want context.Canceled", err)
	}
	select {
	case <-wt.stopped:
	case <-ctx.Done():
		t.Fatal("the nested item never saw the cancel")
	}
	if got, err := shoal.Submit(ctx, w.cl, square, 5).Get(ctx); err != nil || got != 25 {
		t.Fatalf("square(5) after a cancel = %d, %v", got, err)
	}
}

package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/internal/remote"
)

func init() {
	shoal.Register(square, shoal.Name("square"))
	shoal.Register(nest, shoal.Name("nest"))
	shoal.Register(refLen, shoal.Name("refLen"))
	shoal.Register(byteLen, shoal.Name("byteLen"))
	shoal.Register(makeBytes, shoal.Name("makeBytes"))
	shoal.Register(slowSquare, shoal.Name("slowSquare"))
}

func square(_ context.Context, x int) (int, error) { return x * x, nil }

func slowSquare(_ context.Context, x int) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return x * x, nil
}

// nest counts the leaves of a binary tree of tasks of the given depth,
// each level a Map on the executor running it.
func nest(ctx context.Context, depth int) (int, error) {
	if depth == 0 {
		return 1, nil
	}
	counts, err := shoal.Map(ctx, shoal.From(ctx), []int{depth - 1, depth - 1}, nest)
	if err != nil {
		return 0, err
	}
	return counts[0] + counts[1], nil
}

type shared struct {
	Ref shoal.Ref[[]byte]
	N   int
}

func refLen(ctx context.Context, s shared) (int, error) {
	time.Sleep(10 * time.Millisecond) // long enough that both workers get some
	v, err := s.Ref.Get(ctx)
	return len(v) + s.N - s.N, err
}

func byteLen(_ context.Context, b []byte) (int, error) { return len(b), nil }

func makeBytes(_ context.Context, n int) ([]byte, error) { return bytes.Repeat([]byte{7}, n), nil }

func TestMapEqualsLocal(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2))
	ctx := ctxFor(t, 30*time.Second)
	in := make([]int, 10_000)
	for i := range in {
		in[i] = i - 5000
	}
	pool := shoal.NewPool()
	defer pool.Close()
	want, err := shoal.Map(ctx, pool, in, square)
	if err != nil {
		t.Fatal(err)
	}
	got, err := shoal.Map(ctx, c, in, square)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Map on the cluster differs from Map on a pool")
	}
	var streamed []int
	for v, err := range shoal.Stream(ctx, c, slices.Values(in[:1000]), square) {
		if err != nil {
			t.Fatal(err)
		}
		streamed = append(streamed, v)
	}
	if !slices.Equal(streamed, want[:1000]) {
		t.Fatalf("Stream on the cluster differs from Map on a pool")
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Workers) != 2 || st.Slots() < 2 {
		t.Errorf("Status: %d workers, %d slots; want 2 workers, at least 2 slots", len(st.Workers), st.Slots())
	}
}

func TestMapSurvivesKilledWorker(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2), cluster.Slots(2), cluster.AckWait(time.Second))
	ctx := ctxFor(t, 30*time.Second)
	in := make([]int, 400)
	for i := range in {
		in[i] = i
	}
	kill := c.PIDs()[0]
	go func() {
		time.Sleep(150 * time.Millisecond) // mid-map: 400 items take ~400ms per slot pair
		_ = killPID(kill)
	}()
	got, err := shoal.Map(ctx, c, in, slowSquare, shoal.ChunkSize(10))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("item %d = %d; want %d", i, v, i*i)
		}
	}
	if alive(kill) {
		t.Errorf("worker %d was not killed", kill)
	}
}

func TestNestedDepth3OneSlot(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 30*time.Second)
	got, err := shoal.Submit(ctx, c, nest, 3).Get(ctx)
	if err != nil || got != 8 {
		t.Fatalf("nest(3) = %d, %v; want 8, nil", got, err)
	}
}

func TestPutFetchedOncePerWorker(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2), cluster.Slots(2))
	ctx := ctxFor(t, 30*time.Second)
	value := bytes.Repeat([]byte("shoal"), 400_000) // 2 MB: more than a message
	ref, err := shoal.Put(ctx, c, value)
	if err != nil {
		t.Fatal(err)
	}
	in := make([]shared, 32)
	for i := range in {
		in[i] = shared{Ref: ref, N: i}
	}
	got, err := shoal.Map(ctx, c, in, refLen, shoal.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range got {
		if n != len(value) {
			t.Fatalf("item %d: len = %d; want %d", i, n, len(value))
		}
	}
	// Each worker that ran items fetched the value once: wait for their
	// next heartbeats.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ok := len(st.Workers) == 2
		for _, w := range st.Workers {
			if w.Fetched > 1 {
				t.Fatalf("worker %s fetched the value %d times", w.ID, w.Fetched)
			}
			ok = ok && (w.Done == 0 || w.Fetched == 1)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status after 5s: %+v", st.Workers)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := ref.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// A value released before any worker fetched it is gone for all.
	gone, err := shoal.Put(ctx, c, []byte("short-lived"))
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := shoal.Submit(ctx, c, refLen, shared{Ref: gone}).Get(ctx); !errors.Is(err, shoal.ErrReleased) {
		t.Errorf("Get of a released value on a worker: err = %v; want ErrReleased", err)
	}
}

func TestLargePayloads(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(2))
	ctx := ctxFor(t, 30*time.Second)
	big := bytes.Repeat([]byte{1}, 3<<20)
	n, err := shoal.Submit(ctx, c, byteLen, big).Get(ctx)
	if err != nil || n != len(big) {
		t.Fatalf("byteLen(3 MiB) = %d, %v; want %d, nil", n, err, len(big))
	}
	out, err := shoal.Submit(ctx, c, makeBytes, 3<<20).Get(ctx)
	if err != nil || len(out) != 3<<20 {
		t.Fatalf("makeBytes(3 MiB) = %d bytes, %v; want %d, nil", len(out), err, 3<<20)
	}
}

func TestCorruptPayloads(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 30*time.Second)

	// Garbage on the task queue is dropped; the worker goes on.
	nc, err := nats.Connect(c.URL(), nats.Token(c.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, junk := range [][]byte{nil, {0xff}, {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte("hello")} {
		if _, err := nc.Request("shoal.task.default", junk, 5*time.Second); err != nil {
			t.Fatalf("publishing junk: %v", err)
		}
	}

	// Arguments that do not decode fail their item only.
	fn, ok := remote.Lookup("double")
	if !ok {
		t.Fatal("double is not registered")
	}
	deep := append(bytes.Repeat([]byte{0x81}, 100_000), 0x01) // [[[[...1]]]]
	call := &remote.Call{Name: fn.Name, Fingerprint: fn.Fingerprint, Signature: fn.Signature,
		Args: [][]byte{{0xff}, deep, {0x15}}} // junk, too deep, 21
	type outcome struct {
		res []remote.Result
		err error
	}
	done := make(chan outcome, 1)
	b := cluster.Backend(c.Client)
	b.Submit(ctx, call, func(res []remote.Result, err error) { done <- outcome{res, err} })
	o := <-done
	if o.err != nil || len(o.res) != 3 {
		t.Fatalf("call: %d results, %v; want 3, nil", len(o.res), o.err)
	}
	for i, r := range o.res[:2] {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "decoding") {
			t.Errorf("item %d: err = %v; want a decoding error", i, r.Err)
		}
	}
	var v int
	if err := b.Codec().Unmarshal(o.res[2].Value, &v); o.res[2].Err != nil || err != nil || v != 42 {
		t.Errorf("item 2 = %d, %v, %v; want 42", v, o.res[2].Err, err)
	}

	// The worker still serves, and nothing is stuck in the queue.
	if got, err := shoal.Submit(ctx, c, double, 5).Get(ctx); err != nil || got != 10 {
		t.Fatalf("after junk: double(5) = %d, %v", got, err)
	}
	waitQueue(t, c, empty)
}

func TestStatus(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2), cluster.Slots(3))
	ctx := ctxFor(t, 20*time.Second)
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Workers) != 2 {
		t.Fatalf("Status: %d workers; want 2", len(st.Workers))
	}
	pids := c.PIDs()
	for i, w := range st.Workers {
		if w.ID != []string{"w1", "w2"}[i] || w.Slots != 3 || w.PID != pids[i] || w.Host == "" || w.Started.IsZero() {
			t.Errorf("worker %d: %+v; want w%d, 3 slots, pid %d", i, w, i+1, pids[i])
		}
	}
	// A dead worker drops out.
	if err := killPID(pids[1]); err != nil {
		t.Fatal(err)
	}
	// Until the killed one's entry expires; the live one may also miss a
	// heartbeat's deadline on a loaded machine, so wait for both facts.
	ids := func() []string {
		var ids []string
		for _, w := range st.Workers {
			ids = append(ids, w.ID)
		}
		return ids
	}
	deadline := time.Now().Add(15 * time.Second) // a failure bound, not a synchronization
	for !slices.Equal(ids(), []string{"w1"}) {
		if time.Now().After(deadline) {
			t.Fatalf("after killing w2, the status lists %v; want [w1]", ids())
		}
		time.Sleep(100 * time.Millisecond)
		if st, err = c.Status(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDriverKilledLeavesNoWorkers runs this test binary as a driver that
// starts a cluster and is then killed with SIGKILL: its workers must exit.
func TestDriverKilledLeavesNoWorkers(t *testing.T) {
	t.Parallel()
	if os.Getenv(driverEnv) != "" {
		t.Skip("in the driver process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := execDriver(t, exe)
	pids := readPIDs(t, cmd)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d still alive 10s after its driver was killed", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

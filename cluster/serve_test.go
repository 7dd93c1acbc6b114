package cluster_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(flaky, shoal.Name("flaky"))
	shoal.Register(sleepy, shoal.Name("sleepy"))
}

type flakyArg struct {
	Dir   string
	Fails int
}

// flaky fails its first a.Fails attempts (counted in files in a.Dir).
func flaky(_ context.Context, a flakyArg) (int, error) {
	n, _ := os.ReadDir(a.Dir)
	if len(n) < a.Fails {
		os.CreateTemp(a.Dir, "attempt")
		return 0, errors.New("not yet")
	}
	return len(n) + 1, nil
}

// sleepy sleeps d unless its context ends first.
func sleepy(ctx context.Context, d time.Duration) (int, error) {
	select {
	case <-time.After(d):
		return 1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func TestRetryAndTimeout(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(2))
	ctx := ctxFor(t, 20*time.Second)
	dir := t.TempDir()
	got, err := shoal.Map(ctx, c, []flakyArg{{Dir: dir, Fails: 2}}, flaky, shoal.Retry(2))
	if err != nil || got[0] != 3 {
		t.Fatalf("flaky with Retry(2) = %v, %v; want [3], nil (the third attempt)", got, err)
	}
	_, err = shoal.Map(ctx, c, []flakyArg{{Dir: t.TempDir(), Fails: 5}}, flaky, shoal.Retry(1))
	if err == nil || !strings.Contains(err.Error(), "not yet") {
		t.Fatalf("flaky with Retry(1): err = %v; want not yet", err)
	}
	begin := time.Now()
	_, err = shoal.Map(ctx, c, []time.Duration{time.Minute}, sleepy, shoal.Timeout(50*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sleepy with Timeout: err = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Timeout(50ms) took %v", d)
	}
}

// TestServeInProcess runs a second worker in the test process, beside a
// worker process, and stops it.
func TestServeInProcess(t *testing.T) {
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 20*time.Second)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- cluster.Serve(sctx, c.URL(), cluster.Token(c.Token()), cluster.Slots(2)) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Workers) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the in-process worker did not appear: %+v", st.Workers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	in := make([]int, 2000)
	if _, err := shoal.Map(ctx, c, in, slowSquare, shoal.ChunkSize(10)); err != nil {
		t.Fatal(err)
	}
	// The in-process worker did its share.
	for {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(st.Workers, func(w cluster.WorkerStatus) bool { return w.PID == os.Getpid() })
		if i >= 0 && st.Workers[i].Done > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the in-process worker did no work: %+v", st.Workers)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got, err := shoal.Submit(ctx, c, sleepy, time.Millisecond).Get(ctx); err != nil || got != 1 {
		t.Fatalf("sleepy = %d, %v", got, err)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := cluster.Connect(ctx, c.URL()); !errors.Is(err, cluster.ErrAuth) {
		t.Errorf("Connect without a token: err = %v; want ErrAuth", err)
	}
}

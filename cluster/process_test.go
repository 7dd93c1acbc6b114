package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(say, shoal.Name("say"))
	shoal.Register(stuck, shoal.Name("stuck"))
}

// say prints s on standard output.
func say(_ context.Context, s string) (int, error) { return fmt.Println(s) }

// stuck marks itself started in dir, then ignores its context for a
// minute.
func stuck(_ context.Context, dir string) (int, error) {
	if err := markStarted(dir); err != nil {
		return 0, err
	}
	time.Sleep(time.Minute)
	return 0, nil
}

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestWorkerOutputPrefixed(t *testing.T) {
	t.Parallel()
	var out buffer
	ctx := ctxFor(t, 20*time.Second)
	c, err := cluster.Start(ctx, cluster.Workers(1), cluster.Slots(1), cluster.Output(&out))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shoal.Submit(ctx, c, say, "hello from a task").Get(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !bytes.Contains([]byte(got), []byte("[w1] hello from a task\n")) {
		t.Errorf("output %q; want a line \"[w1] hello from a task\"", got)
	}
}

func TestCloseKillsStuckWorker(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t, 20*time.Second)
	c, err := cluster.Start(ctx, cluster.Workers(1), cluster.Slots(1), cluster.StopGrace(300*time.Millisecond),
		cluster.Output(&logWriter{t: t}))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, stuck, dir)
	waitStarted(t, dir)
	pid := c.PIDs()[0]
	begin := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Close took %v with a grace of 300ms", d)
	}
	if alive(pid) {
		t.Errorf("stuck worker %d survived Close", pid)
	}
	if _, err := f.Get(ctx); err == nil {
		t.Errorf("the stuck task's future succeeded")
	}
}

package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(blockUntilReleased, shoal.Name("blockUntilReleased"))
	shoal.Register(waitForCancel, shoal.Name("waitForCancel"))
}

// blockUntilReleased appends its process id to dir/starts, then waits for
// dir/release to exist, and returns its process id.
func blockUntilReleased(ctx context.Context, dir string) (int, error) {
	f, err := os.OpenFile(filepath.Join(dir, "starts"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	fmt.Fprintln(f, os.Getpid())
	f.Close()
	for {
		if _, err := os.Stat(filepath.Join(dir, "release")); err == nil {
			return os.Getpid(), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// markStarted creates dir/started: a task that calls it first tells a test
// that it runs, which Status cannot (it counts a task running once it is
// delivered, before it has a slot). waitStarted waits for the file.
func markStarted(dir string) error {
	return os.WriteFile(filepath.Join(dir, "started"), nil, 0o644)
}

// waitStarted waits up to 10s for the task given dir to call markStarted.
func waitStarted(t *testing.T, dir string) {
	t.Helper()
	waitFile(t, filepath.Join(dir, "started"), 10*time.Second)
}

// waitForCancel marks itself started in dir, waits for its context to
// end, and then creates dir/cancelled.
func waitForCancel(ctx context.Context, dir string) (int, error) {
	if err := markStarted(dir); err != nil {
		return 0, err
	}
	<-ctx.Done()
	return 0, os.WriteFile(filepath.Join(dir, "cancelled"), nil, 0o644)
}

// starts returns the process ids in dir/starts, once there are at least n.
func starts(t *testing.T, dir string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(dir, "starts"))
		var pids []int
		for _, f := range strings.Fields(string(data)) {
			p, _ := strconv.Atoi(f)
			pids = append(pids, p)
		}
		if len(pids) >= n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d task starts after 20s, want %d", len(pids), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitFile(t *testing.T, path string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not exist after %v", filepath.Base(path), within)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestKilledWorkerTaskRunsElsewhere(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2), cluster.Slots(1), cluster.AckWait(time.Second))
	ctx := ctxFor(t, 30*time.Second)
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, blockUntilReleased, dir)
	first := starts(t, dir, 1)[0]
	if err := killPID(first); err != nil {
		t.Fatal(err)
	}
	second := starts(t, dir, 2)[1]
	if second == first {
		t.Fatalf("the task ran again in the killed process %d", first)
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := f.Get(ctx)
	if err != nil || got != second {
		t.Fatalf("Get = %d, %v; want %d (the second worker), nil", got, err, second)
	}
	// The killed worker's message is gone from the queue.
	waitQueue(t, c, empty)
}

func TestLostWorkerBudget(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(2), cluster.Slots(1), cluster.AckWait(time.Second), cluster.Redeliver(0))
	ctx := ctxFor(t, 30*time.Second)
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, blockUntilReleased, dir)
	if err := killPID(starts(t, dir, 1)[0]); err != nil {
		t.Fatal(err)
	}
	_, err := f.Get(ctx)
	if !errors.Is(err, cluster.ErrLostWorker) || !strings.Contains(err.Error(), "blockUntilReleased") {
		t.Fatalf("Get: err = %v; want ErrLostWorker naming the function", err)
	}
	waitQueue(t, c, empty)
}

// waitQueue waits until ok holds for the cluster's queued and running
// task counts.
func waitQueue(t *testing.T, c *cluster.Cluster, ok func(queued, running int) bool) {
	t.Helper()
	waitStatus(t, c.Client, "queue", func(s cluster.Status) bool { return ok(s.Queued, s.Running) })
}

// waitStatus waits up to 10s until ok holds for cl's view of the cluster;
// what names what it waits for, in the failure.
func waitStatus(t *testing.T, cl *cluster.Client, what string, ok func(cluster.Status) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := cl.Status(ctxFor(t, 10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after 10s: %d queued, %d running, workers %+v", what, s.Queued, s.Running, s.Workers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func empty(queued, running int) bool { return queued == 0 && running == 0 }

func TestCancelRunningTask(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 20*time.Second)
	dir := t.TempDir()
	tctx, cancel := context.WithCancel(ctx)
	f := shoal.Submit(tctx, c, waitForCancel, dir)
	waitStarted(t, dir)

	// More tasks wait behind it: some fetched ahead by the worker, the
	// rest still in the queue. Cancelled, none of them runs and the queue
	// empties.
	const waiting = 30
	qctx, qcancel := context.WithCancel(ctx)
	dirs := make([]string, waiting)
	fs := make([]*shoal.Future[int], waiting)
	for i := range fs {
		dirs[i] = t.TempDir()
		fs[i] = shoal.Submit(qctx, c, waitForCancel, dirs[i])
	}
	waitQueue(t, c, func(queued, running int) bool { return queued > 0 && queued+running == waiting+1 })
	qcancel()
	for i, f := range fs {
		if _, err := f.Get(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("waiting task %d: err = %v; want context.Canceled", i, err)
		}
	}
	waitQueue(t, c, func(queued, running int) bool { return queued == 0 && running == 1 })

	begin := time.Now()
	cancel()
	if _, err := f.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("running task: err = %v; want context.Canceled", err)
	}
	waitFile(t, filepath.Join(dir, "cancelled"), time.Second)
	t.Logf("the worker saw the cancel after %v", time.Since(begin))
	waitQueue(t, c, empty)
	for i, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "started")); err == nil {
			t.Errorf("cancelled waiting task %d ran", i)
		}
	}
}

// TestFutureCancel cancels futures submitted with a context that never
// ends: Future.Cancel alone must stop the running task on its worker and
// drop the queued one.
func TestFutureCancel(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 20*time.Second)
	running, queued := t.TempDir(), t.TempDir()
	fr := shoal.Submit(context.Background(), c, waitForCancel, running)
	waitStarted(t, running)
	fq := shoal.Submit(context.Background(), c, waitForCancel, queued)
	waitQueue(t, c, func(q, r int) bool { return q+r == 2 })

	fq.Cancel()
	fr.Cancel()
	for name, f := range map[string]*shoal.Future[int]{"running": fr, "queued": fq} {
		if _, err := f.Get(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("%s task: err = %v; want context.Canceled", name, err)
		}
	}
	waitFile(t, filepath.Join(running, "cancelled"), 5*time.Second)
	waitQueue(t, c, empty)
	if _, err := os.Stat(filepath.Join(queued, "started")); err == nil {
		t.Error("the cancelled queued task ran")
	}
}

func TestWrongToken(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 20*time.Second)
	for _, opts := range [][]cluster.Option{{cluster.Token("wrong")}, nil} {
		cl, err := cluster.Connect(ctx, c.URL(), opts...)
		if !errors.Is(err, cluster.ErrAuth) {
			if cl != nil {
				cl.Close()
			}
			t.Errorf("Connect with %d options: err = %v; want ErrAuth", len(opts), err)
		}
	}
	cl, err := cluster.Connect(ctx, c.URL(), cluster.Token(c.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got, err := shoal.Submit(ctx, cl, double, 4).Get(ctx)
	if err != nil || got != 8 {
		t.Fatalf("Submit through Connect = %d, %v; want 8, nil", got, err)
	}
}

// TestCloseLeavesNothing runs alone: it checks the whole process for
// goroutines.
func TestCloseLeavesNothing(t *testing.T) {
	ctx := ctxFor(t, 20*time.Second)
	c, err := cluster.Start(ctx, cluster.Workers(2), cluster.Slots(1), cluster.Output(&logWriter{t: t}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shoal.Submit(ctx, c, double, 1).Get(ctx); err != nil {
		t.Fatal(err)
	}
	pids := c.PIDs()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("worker process %d is still alive after Close", pid)
		}
	}
	if _, err := shoal.Submit(ctx, c, double, 1).Get(ctx); !errors.Is(err, cluster.ErrClosed) {
		t.Errorf("Submit after Close: err = %v; want ErrClosed", err)
	}
	goleak.VerifyNone(t)
}

func TestStartFailsWithWorkerOutput(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "broken-worker")
	script := "#!/bin/sh\necho \"cannot serve: no $SHOAL_TEST_WHAT\" >&2\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t, 20*time.Second)
	c, err := cluster.Start(ctx, cluster.Binary(bin), cluster.Workers(2), cluster.Env("SHOAL_TEST_WHAT=luck"),
		cluster.Output(&logWriter{t: t}))
	if err == nil {
		c.Close()
		t.Fatal("Start with a broken worker binary succeeded")
	}
	for _, want := range []string{"exit status 3", "cannot serve: no luck"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start: err = %v; want it to contain %q", err, want)
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t, 10*time.Second)
	for _, o := range []cluster.Option{cluster.Workers(0), cluster.Slots(-1), cluster.AckWait(time.Millisecond), cluster.Env("NOEQUALS"), cluster.Listen("nowhere")} {
		if _, err := cluster.Start(ctx, o); !errors.Is(err, shoal.ErrInvalidOption) {
			t.Errorf("Start: err = %v; want ErrInvalidOption", err)
		}
	}
}

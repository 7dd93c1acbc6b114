package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// The tests here keep the default AckWait of 30 seconds: a killed worker's
// task must run again well before the queue would hand it out by itself.

// waitHolding waits until the status of the worker of process pid counts
// a running task, as it does at its next write (every second).
func waitHolding(t *testing.T, cl *cluster.Client, pid int) {
	t.Helper()
	waitStatus(t, cl, fmt.Sprintf("a running task on the worker of process %d", pid), func(s cluster.Status) bool {
		return slices.ContainsFunc(s.Workers, func(w cluster.WorkerStatus) bool { return w.PID == pid && w.Running > 0 })
	})
}

// TestKilledWorkerTaskBackAtOnce kills a worker process of Start once its
// status counts the task running: Start sees it exit and puts the task
// back in the queue at once.
func TestKilledWorkerTaskBackAtOnce(t *testing.T) {
	t.Parallel()
	killWorkerWithTask(t, func(c *cluster.Cluster, pid int) { waitHolding(t, c.Client, pid) })
}

// TestKilledWorkerQuickTaskBack kills a worker process of Start as soon
// as its client has the task's held notice, which the worker sends before
// the task starts: that is all Start needs to put the task back in the
// queue at once.
func TestKilledWorkerQuickTaskBack(t *testing.T) {
	t.Parallel()
	killWorkerWithTask(t, func(c *cluster.Cluster, _ int) { waitHeldNotice(t, c.Client) })
}

// TestKilledWorkerLateNoticeTaskBack is TestKilledWorkerQuickTaskBack on
// workers that have run tiny tasks: a single-item task then gets its held
// notice only once held for 100 ms, and that late notice is what puts the
// task back in the queue when its worker is killed.
func TestKilledWorkerLateNoticeTaskBack(t *testing.T) {
	t.Parallel()
	killWorkerWithTask(t, func(c *cluster.Cluster, _ int) { waitHeldNotice(t, c.Client) },
		func(c *cluster.Cluster) {
			ctx := ctxFor(t, 30*time.Second)
			fs := make([]*shoal.Future[int], 400) // enough for both workers to learn that tasks are tiny
			for i := range fs {
				fs[i] = shoal.Submit(ctx, c, double, i)
			}
			if _, err := shoal.Gather(ctx, fs); err != nil {
				t.Fatal(err)
			}
		})
}

// waitHeldNotice waits until cl has a worker's held notice for one of its
// calls; the worker sends it before the task starts.
func waitHeldNotice(t *testing.T, cl *cluster.Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for cluster.HeldNotices(cl) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no held notice 10s after the task started")
		}
		time.Sleep(time.Millisecond)
	}
}

// killWorkerWithTask runs before (if any) on a cluster of two one-slot
// workers, then starts a task on it, calls ready with the cluster and the
// process running the task, kills that process, and checks that the task
// runs again on the other worker far sooner than the AckWait.
func killWorkerWithTask(t *testing.T, ready func(c *cluster.Cluster, pid int), before ...func(c *cluster.Cluster)) {
	t.Helper()
	c := start(t, cluster.Workers(2), cluster.Slots(1))
	for _, f := range before {
		f(c)
	}
	ctx := ctxFor(t, 60*time.Second)
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, blockUntilReleased, dir)
	first := starts(t, dir, 1)[0]
	ready(c, first)
	killed := time.Now()
	if err := killPID(first); err != nil {
		t.Fatal(err)
	}
	second := starts(t, dir, 2)[1]
	if d := time.Since(killed); d > 15*time.Second {
		t.Errorf("the task ran again %v after its worker was killed; want far less than the AckWait of 30s", d)
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx); err != nil || got != second || second == first {
		t.Fatalf("Get = %d, %v; want %d (the other worker), nil; the killed one was %d", got, err, second, first)
	}
	waitQueue(t, c, empty)
}

// TestLostWorkerTaskBack kills a worker that Start does not own, once its
// status counts the task running: the driver sees the status go stale and
// puts the task back in the queue.
func TestLostWorkerTaskBack(t *testing.T) {
	t.Parallel()
	loseWorkerWithTask(t, func(c *cluster.Cluster, pid int) { waitHolding(t, c.Client, pid) })
}

// TestLostWorkerQuickTaskBack is TestLostWorkerTaskBack with the worker
// killed as soon as the client has the task's held notice.
func TestLostWorkerQuickTaskBack(t *testing.T) {
	t.Parallel()
	loseWorkerWithTask(t, func(c *cluster.Cluster, _ int) { waitHeldNotice(t, c.Client) })
}

// loseWorkerWithTask starts a task on a worker process that Start does not
// own, calls ready with the cluster and that process, kills it, and checks
// that the task runs again on Start's worker far sooner than the AckWait.
func loseWorkerWithTask(t *testing.T, ready func(c *cluster.Cluster, pid int)) {
	t.Helper()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 60*time.Second)
	busy, unbusy := keepBusy(t, ctx, c) // the task below runs on the other worker

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, c.URL(), cluster.Token(c.Token()), cluster.Slots(1))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkerCmd(t, cmd)
	waitJoined(t, c.Client, w)
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, blockUntilReleased, dir)
	if first := starts(t, dir, 1)[0]; first != cmd.Process.Pid {
		t.Fatalf("the task started in process %d; want the new worker, %d", first, cmd.Process.Pid)
	}
	ready(c, cmd.Process.Pid)
	killed := time.Now()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	unbusy() // w1 is free to take the task
	if _, err := busy.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("busy task: err = %v; want context.Canceled", err)
	}
	second := starts(t, dir, 2)[1]
	if d := time.Since(killed); d > 20*time.Second {
		t.Errorf("the task ran again %v after its worker was killed; want far less than the AckWait of 30s", d)
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx); err != nil || got != second {
		t.Fatalf("Get = %d, %v; want %d (w1), nil", got, err, second)
	}
	waitQueue(t, c, empty)
}

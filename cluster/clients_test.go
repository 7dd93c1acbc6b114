package cluster_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// clientEnv makes this test binary a client of a cluster that submits
// orphanTasks and waits to be killed (TestKilledClientTasksDropped). It
// holds the cluster's URL, token and a directory, separated by spaces.
const clientEnv = "SHOAL_TEST_CLIENT"

// orphanTasks submits, on cl, a task that runs until cancelled (in
// dir/run) and queued ones that would block behind it (in dir/q<i>).
func orphanTasks(ctx context.Context, cl shoal.Executor, dir string) (running *shoal.Future[int], queued []*shoal.Future[int]) {
	running = shoal.Submit(ctx, cl, waitForCancel, filepath.Join(dir, "run"))
	for i := range 4 {
		queued = append(queued, shoal.Submit(ctx, cl, blockUntilReleased, filepath.Join(dir, fmt.Sprint("q", i))))
	}
	return running, queued
}

func orphanDirs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"run", "q0", "q1", "q2", "q3"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkOrphansDropped waits for the running task of orphanTasks to be
// cancelled and the queue to empty, and checks that no queued one ran.
func checkOrphansDropped(t *testing.T, c *cluster.Cluster, dir string, within time.Duration) {
	t.Helper()
	waitFile(t, filepath.Join(dir, "run", "cancelled"), within)
	waitQueue(t, c, empty)
	for i := range 4 {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprint("q", i), "starts")); err == nil {
			t.Errorf("queued task %d of the gone client ran", i)
		}
	}
}

func runClient(arg string) {
	f := strings.Fields(arg)
	ctx := context.Background()
	cl, err := cluster.Connect(ctx, f[0], cluster.Token(f[1]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	orphanTasks(ctx, cl, f[2])
	fmt.Println("submitted")
	time.Sleep(time.Minute) // until killed
	os.Exit(1)
}

// TestClosedClientTasksDropped closes a client with a task running and
// more queued: workers cancel the first and never run the others.
func TestClosedClientTasksDropped(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 60*time.Second)
	cl, err := cluster.Connect(ctx, c.URL(), cluster.Token(c.Token()))
	if err != nil {
		t.Fatal(err)
	}
	dir := orphanDirs(t)
	running, queued := orphanTasks(ctx, cl, dir)
	waitStarted(t, filepath.Join(dir, "run"))
	waitQueue(t, c, func(q, r int) bool { return q+r == 5 })
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(queued, running) {
		if _, err := f.Get(ctx); !errors.Is(err, cluster.ErrClosed) {
			t.Errorf("a call of the closed client: err = %v; want ErrClosed", err)
		}
	}
	checkOrphansDropped(t, c, dir, 10*time.Second)
}

// TestKilledClientTasksDropped kills a client process with a task running
// and more queued: once its heartbeat has stopped long enough, workers
// cancel the first and never run the others.
func TestKilledClientTasksDropped(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := orphanDirs(t)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), clientEnv+"="+c.URL()+" "+c.Token()+" "+dir)
	cmd.Stderr = &logWriter{t: t}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "submitted\n" {
		t.Fatalf("client process: %q, %v", line, err)
	}
	waitStarted(t, filepath.Join(dir, "run"))
	waitQueue(t, c, func(q, r int) bool { return q+r == 5 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	checkOrphansDropped(t, c, dir, 30*time.Second)
}

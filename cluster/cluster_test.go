package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func TestMain(m *testing.M) {
	cluster.Main() // in a worker process started by a test, this serves and exits
	if os.Getenv(driverEnv) != "" {
		runDriver()
	}
	if os.Getenv(clientEnv) != "" {
		runClient(os.Getenv(clientEnv))
	}
	goleak.VerifyTestMain(m)
}

// driverEnv makes this test binary a driver that starts a cluster, prints
// its workers' pids and waits to be killed (TestDriverKilledLeavesNoWorkers).
const driverEnv = "SHOAL_TEST_DRIVER"

func runDriver() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c, err := cluster.Start(ctx, cluster.Workers(2), cluster.Slots(1))
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("PIDS", strings.Trim(fmt.Sprint(c.PIDs()), "[]"))
	time.Sleep(time.Minute) // until killed
	os.Exit(1)
}

func execDriver(t *testing.T, exe string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), driverEnv+"=1")
	cmd.Stderr = &logWriter{t: t}
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	})
	return cmd
}

// readPIDs starts cmd and reads the worker pids it prints.
func readPIDs(t *testing.T, cmd *exec.Cmd) []int {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the driver's output: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(strings.TrimPrefix(line, "PIDS")) {
		p, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("driver printed %q", line)
		}
		pids = append(pids, p)
	}
	if len(pids) != 2 {
		t.Fatalf("driver printed %q; want 2 pids", line)
	}
	return pids
}

// roleEnv is set in the environment of the workers of the tests that need
// the driver and its workers to differ.
const roleEnv = "SHOAL_TEST_ROLE"

func isWorker() bool { return os.Getenv(roleEnv) == "worker" }

func init() {
	shoal.Register(double, shoal.Name("double"))
	shoal.Register(pid, shoal.Name("pid"))
	shoal.Register(fails, shoal.Name("fails"))
	shoal.Register(panics, shoal.Name("panics"))
	if isWorker() {
		// The same name with another signature: a worker from another build.
		shoal.Register(mismatchWorker, shoal.Name("mismatch"))
	} else {
		shoal.Register(mismatchDriver, shoal.Name("mismatch"))
		shoal.Register(driverOnly, shoal.Name("driverOnly"))
	}
}

func double(_ context.Context, x int) (int, error) { return 2 * x, nil }

func pid(context.Context, struct{}) (int, error) { return os.Getpid(), nil }

func fails(_ context.Context, msg string) (int, error) { return 0, errors.New(msg) }

func panics(_ context.Context, msg string) (int, error) { panic(msg) }

func mismatchDriver(_ context.Context, x int) (int, error) { return x, nil }

func mismatchWorker(_ context.Context, s string) (int, error) { return len(s), nil }

func driverOnly(_ context.Context, x int) (int, error) { return x, nil }

// start starts a cluster for t, closed when t ends, its workers' output in
// t's log.
func start(t *testing.T, opts ...cluster.Option) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts = append([]cluster.Option{cluster.Output(&logWriter{t: t})}, opts...)
	c, err := cluster.Start(ctx, opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// runNATS starts a NATS server of opts for t, shut down when t ends, and
// returns it once it takes connections.
func runNATS(t *testing.T, opts *natsserver.Options) *natsserver.Server {
	t.Helper()
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	return ns
}

// logWriter writes worker output to the test log, until the test ends.
type logWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSubmitRoundTrip(t *testing.T) {
	c := start(t, cluster.Workers(2), cluster.Slots(1))
	ctx := ctxFor(t, 20*time.Second)
	got, err := shoal.Submit(ctx, c, double, 21).Get(ctx)
	if err != nil || got != 42 {
		t.Fatalf("Submit(double, 21) = %d, %v; want 42, nil", got, err)
	}
	// Both workers serve: tasks that wait for each other's slots spread.
	pids := map[int]bool{}
	futs := make([]*shoal.Future[int], 40)
	for i := range futs {
		futs[i] = shoal.Submit(ctx, c, pid, struct{}{})
	}
	all, err := shoal.Gather(ctx, futs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		pids[p] = true
	}
	if pids[os.Getpid()] {
		t.Errorf("a task ran in the driver's process")
	}
	t.Logf("40 tasks ran in %d processes", len(pids))
}

func TestErrors(t *testing.T) {
	c := start(t, cluster.Workers(1), cluster.Env(roleEnv+"=worker"))
	ctx := ctxFor(t, 20*time.Second)

	_, err := shoal.Submit(ctx, c, fails, "boom").Get(ctx)
	if err == nil || err.Error() != "boom" {
		t.Errorf("fails: err = %v; want boom", err)
	}
	var re *cluster.RemoteError
	if !errors.As(err, &re) || re.Worker != "w1" {
		t.Errorf("fails: err = %#v; want a *RemoteError from w1", err)
	}

	_, err = shoal.Submit(ctx, c, panics, "oops").Get(ctx)
	var pe *shoal.PanicError
	if !errors.As(err, &pe) || pe.Value != "oops" || !bytes.Contains(pe.Stack, []byte("panics")) {
		t.Errorf("panics: err = %v; want a *PanicError with value oops and a stack naming panics", err)
	}

	_, err = shoal.Submit(ctx, c, driverOnly, 1).Get(ctx)
	if !errors.Is(err, shoal.ErrNotRegistered) || !strings.Contains(err.Error(), "driverOnly") {
		t.Errorf("driverOnly: err = %v; want ErrNotRegistered naming driverOnly", err)
	}

	_, err = shoal.Submit(ctx, c, mismatchDriver, 1).Get(ctx)
	if !errors.Is(err, cluster.ErrSignature) ||
		!strings.Contains(err.Error(), "func(context.Context, int) (int, error)") ||
		!strings.Contains(err.Error(), "func(context.Context, string) (int, error)") {
		t.Errorf("mismatch: err = %v; want ErrSignature naming both signatures", err)
	}
}

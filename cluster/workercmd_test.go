package cluster_test

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(sleepPID, shoal.Name("sleepPID"))
	shoal.Register(innerBar, shoal.Name("innerBar"))
	shoal.Register(markedSleep, shoal.Name("markedSleep"))
}

// sleepPID sleeps d unless its context ends first, and returns the pid of
// the worker that ran it.
func sleepPID(ctx context.Context, d time.Duration) (int, error) {
	select {
	case <-time.After(d):
		return os.Getpid(), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// markedArg is the argument of markedSleep.
type markedArg struct {
	Dir string
	D   time.Duration
}

// markedSleep marks itself started in a.Dir, then sleeps as sleepPID
// does.
func markedSleep(ctx context.Context, a markedArg) (int, error) {
	if err := markStarted(a.Dir); err != nil {
		return 0, err
	}
	return sleepPID(ctx, a.D)
}

// innerBar runs a Map of n items with a progress bar "inner" on a pool of
// the worker's own.
func innerBar(ctx context.Context, n int) (int, error) {
	p := shoal.NewPool(shoal.Workers(2))
	defer p.Close()
	out, err := shoal.Map(ctx, p, make([]int, n), func(context.Context, int) (int, error) { return 1, nil }, shoal.Progress("inner"))
	return len(out), err
}

// workerProc is a worker process of WorkerCommand, started by a test.
type workerProc struct {
	cmd    *exec.Cmd
	stderr *buffer
	exited chan struct{} // closed when it has exited; then err is its Wait's
	err    error
}

// startWorkerCmd starts cmd, its standard error in a buffer (and, once it
// exited, in t's log). The process is killed when t ends.
func startWorkerCmd(t *testing.T, cmd *exec.Cmd) *workerProc {
	t.Helper()
	w := &workerProc{cmd: cmd, stderr: new(buffer), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = w.stderr, w.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w.err = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-w.exited
		t.Logf("worker process %d: %v; its output:\n%s", cmd.Process.Pid, w.err, w.stderr)
	})
	return w
}

// wait waits for the process to exit, at most d, and returns Wait's error.
func (w *workerProc) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-w.exited:
		return w.err
	case <-time.After(d):
		t.Fatalf("worker process did not exit within %v; its output:\n%s", d, w.stderr)
		return nil
	}
}

// waitJoined waits until the cluster lists the worker process w and returns
// its status; it fails if w exits first.
func waitJoined(t *testing.T, cl *cluster.Client, w *workerProc) cluster.WorkerStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := cl.Status(ctxFor(t, 10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(st.Workers, func(s cluster.WorkerStatus) bool { return s.PID == w.cmd.Process.Pid }); i >= 0 {
			return st.Workers[i]
		}
		select {
		case <-w.exited:
			t.Fatalf("worker process exited before it joined: %v\n%s", w.err, w.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker process did not join in 20s; status %+v; its output:\n%s", st, w.stderr)
		}
	}
}

// listed reports whether the cluster lists a worker of process pid.
func listed(t *testing.T, cl *cluster.Client, pid int) bool {
	t.Helper()
	st, err := cl.Status(ctxFor(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(st.Workers, func(s cluster.WorkerStatus) bool { return s.PID == pid })
}

// keepBusy takes the one slot of c's worker w1 with a task that runs until
// unbusy (or the end of t), so that the tasks after it go to other workers.
func keepBusy(t *testing.T, ctx context.Context, c *cluster.Cluster) (busy *shoal.Future[int], unbusy context.CancelFunc) {
	t.Helper()
	bctx, unbusy := context.WithCancel(ctx)
	t.Cleanup(unbusy)
	busy = shoal.Submit(bctx, c, sleepy, time.Minute)
	waitQueue(t, c, func(queued, running int) bool { return running == 1 })
	return busy, unbusy
}

func skipWithoutSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
}

// TestWorkerCommand runs this test binary as one more worker of a cluster,
// runs tasks on it and stops it with SIGTERM: the task it is running
// finishes first.
func TestWorkerCommand(t *testing.T) {
	t.Parallel()
	skipWithoutSIGTERM(t)
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 60*time.Second)
	busy, unbusy := keepBusy(t, ctx, c) // the tasks below run on the new worker

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, c.URL(), cluster.Token(c.Token()), cluster.Slots(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd.Args) != 1 || cmd.Args[0] != exe {
		t.Errorf("command line %q; want the binary alone", cmd.Args)
	}
	if !slices.Contains(cmd.Env, "SHOAL_WORKER_TOKEN="+c.Token()) || !slices.Contains(cmd.Env, "SHOAL_WORKER_URL="+c.URL()) {
		t.Errorf("environment lacks the URL or the token")
	}
	w := startWorkerCmd(t, cmd)
	pid := cmd.Process.Pid
	if st := waitJoined(t, c.Client, w); st.Slots != 2 {
		t.Errorf("the new worker: %+v; want 2 slots", st)
	}

	got, err := shoal.Map(ctx, c, []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 0}, sleepPID)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got {
		if p != pid {
			t.Errorf("task %d ran in process %d; want the new worker, %d", i, p, pid)
		}
	}

	// SIGTERM while a task runs: it finishes, then the worker exits 0.
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, markedSleep, markedArg{dir, 1500 * time.Millisecond})
	waitStarted(t, dir)
	begin := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if p, err := f.Get(ctx); err != nil || p != pid {
		t.Errorf("the task running at SIGTERM: %d, %v; want %d, nil (it finishes)", p, err, pid)
	}
	if err := w.wait(t, 15*time.Second); err != nil {
		t.Errorf("worker process after SIGTERM: %v; want exit status 0\n%s", err, w.stderr)
	}
	if d := time.Since(begin); d > 8*time.Second {
		t.Errorf("worker took %v to stop after SIGTERM; want about the task's 1.5s", d)
	}
	if listed(t, c.Client, pid) {
		t.Errorf("the cluster lists the stopped worker %d", pid)
	}
	for _, want := range []string{"joining " + c.URL(), "stopping (terminated signal received): running tasks have 10s to finish", "stopped"} {
		if !strings.Contains(w.stderr.String(), want) {
			t.Errorf("worker's standard error lacks %q:\n%s", want, w.stderr)
		}
	}

	unbusy()
	if _, err := busy.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("busy task: err = %v; want context.Canceled", err)
	}
}

// TestWorkerCommandGraceExpires stops a worker whose task outlasts its
// grace period: the task goes back to the queue, the worker exits 0.
func TestWorkerCommandGraceExpires(t *testing.T) {
	t.Parallel()
	skipWithoutSIGTERM(t)
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 60*time.Second)
	_, unbusy := keepBusy(t, ctx, c)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, c.URL(), cluster.Token(c.Token()), cluster.Slots(1), cluster.Grace(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkerCmd(t, cmd)
	waitJoined(t, c.Client, w)
	dir := t.TempDir()
	f := shoal.Submit(ctx, c, markedSleep, markedArg{dir, 2 * time.Second})
	waitStarted(t, dir)
	begin := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := w.wait(t, 10*time.Second); err != nil {
		t.Errorf("worker process after SIGINT: %v; want exit status 0\n%s", err, w.stderr)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("worker took %v to stop with a grace of 200ms", d)
	}
	// Its task went back to the queue at once: w1 runs it when free.
	unbusy()
	begin = time.Now()
	if p, err := f.Get(ctx); err != nil || p != c.PIDs()[0] {
		t.Errorf("the task cut short by the stop: %d, %v; want w1's pid %d", p, err, c.PIDs()[0])
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("the task cut short by the stop ran again after %v; want at once (not after the ack wait)", d)
	}
}

func TestWorkerCommandWrongToken(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, c.URL(), cluster.Token("not-the-token"))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkerCmd(t, cmd)
	err = w.wait(t, 15*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("worker with a wrong token: %v; want exit status 1", err)
	}
	if want := "not authorized by the server"; !strings.Contains(w.stderr.String(), want) {
		t.Errorf("worker's standard error:\n%s\nwant %q", w.stderr, want)
	}
	if strings.Contains(w.stderr.String(), "not-the-token") {
		t.Errorf("worker printed its token:\n%s", w.stderr)
	}
}

func TestWorkerCommandBadEnvironment(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, "nats://127.0.0.1:1", cluster.Env("SHOAL_WORKER_GRACE=soon"))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkerCmd(t, cmd)
	err = w.wait(t, 10*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("worker with SHOAL_WORKER_GRACE=soon: %v; want exit status 2", err)
	}
	if want := `SHOAL_WORKER_GRACE="soon": want a duration`; !strings.Contains(w.stderr.String(), want) {
		t.Errorf("worker's standard error:\n%s\nwant %q", w.stderr, want)
	}
}

func TestWorkerCommandOptions(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		binary string
		opts   []cluster.Option
	}{
		{"TLS", exe, []cluster.Option{cluster.TLS(&tls.Config{})}},
		{"TLS and TLSFiles", exe, []cluster.Option{cluster.TLS(&tls.Config{}), cluster.TLSFiles("ca.pem", "", "")}},
		{"TLSFiles without files", exe, []cluster.Option{cluster.TLSFiles("", "", "")}},
		{"TLSFiles without key", exe, []cluster.Option{cluster.TLSFiles("", "cert.pem", "")}},
		{"negative Grace", exe, []cluster.Option{cluster.Grace(-time.Second)}},
		{"empty binary", "", nil},
	} {
		if _, err := cluster.WorkerCommand(tt.binary, "nats://127.0.0.1:4222", tt.opts...); !errors.Is(err, shoal.ErrInvalidOption) {
			t.Errorf("%s: err = %v; want ErrInvalidOption", tt.name, err)
		}
	}
	if _, err := cluster.WorkerCommand(filepath.Join(t.TempDir(), "missing"), "nats://127.0.0.1:4222"); err == nil {
		t.Errorf("a missing binary: no error")
	}

	// Files go by their absolute paths; the rest as the options say.
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, "nats://127.0.0.1:4222",
		cluster.CredsFile("w.creds"), cluster.TLSFiles("ca.pem", "c.pem", "k.pem"),
		cluster.Slots(3), cluster.Grace(time.Minute), cluster.Replicas(3), cluster.WorkerProgress(), cluster.Env("A=b"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SHOAL_WORKER_URL=nats://127.0.0.1:4222",
		"SHOAL_WORKER_CREDS=" + filepath.Join(dir, "w.creds"),
		"SHOAL_WORKER_TLS_CA=" + filepath.Join(dir, "ca.pem"),
		"SHOAL_WORKER_TLS_CERT=" + filepath.Join(dir, "c.pem"),
		"SHOAL_WORKER_TLS_KEY=" + filepath.Join(dir, "k.pem"),
		"SHOAL_WORKER_SLOTS=3",
		"SHOAL_WORKER_GRACE=1m0s",
		"SHOAL_WORKER_REPLICAS=3",
		"SHOAL_WORKER_PROGRESS=1",
		"A=b",
	} {
		if !slices.Contains(cmd.Env, want) {
			t.Errorf("environment lacks %s", want)
		}
	}
	if slices.ContainsFunc(cmd.Env, func(kv string) bool { return strings.HasPrefix(kv, "SHOAL_WORKER_TOKEN=") }) {
		t.Errorf("environment has a token, none given")
	}
}

// TestWorkerCommandReconnects kicks a worker's connection off its server:
// the worker reconnects and goes on serving.
func TestWorkerCommandReconnects(t *testing.T) {
	t.Parallel()
	skipWithoutSIGTERM(t)
	ns := runNATS(t, &natsserver.Options{
		Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(), Authorization: "secret",
	})
	ctx := ctxFor(t, 60*time.Second)
	cl, err := cluster.Connect(ctx, ns.ClientURL(), cluster.Token("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := cluster.WorkerCommand(exe, ns.ClientURL(), cluster.Token("secret"), cluster.Slots(1), cluster.AckWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkerCmd(t, cmd)
	st := waitJoined(t, cl, w)
	if p, err := shoal.Submit(ctx, cl, sleepPID, time.Duration(0)).Get(ctx); err != nil || p != cmd.Process.Pid {
		t.Fatalf("task before the drop: %d, %v; want %d", p, err, cmd.Process.Pid)
	}

	conns, err := ns.Connz(&natsserver.ConnzOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kicked := 0
	for _, ci := range conns.Conns {
		if ci.Name == "shoal worker "+st.ID {
			if err := ns.DisconnectClientByID(ci.Cid); err != nil {
				t.Fatal(err)
			}
			kicked++
		}
	}
	if kicked != 1 {
		t.Fatalf("found %d connections of worker %s; want 1", kicked, st.ID)
	}
	if p, err := shoal.Submit(ctx, cl, sleepPID, time.Duration(0)).Get(ctx); err != nil || p != cmd.Process.Pid {
		t.Fatalf("task after the drop: %d, %v; want %d", p, err, cmd.Process.Pid)
	}
	select {
	case <-w.exited:
		t.Fatalf("worker exited after its connection dropped: %v\n%s", w.err, w.stderr)
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := w.wait(t, 15*time.Second); err != nil {
		t.Errorf("worker process after SIGTERM: %v; want exit status 0\n%s", err, w.stderr)
	}
}

// TestWorkerProgress: the bars of maps inside tasks go nowhere on the
// workers of Start, unless WorkerProgress keeps them.
func TestWorkerProgress(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		var out buffer
		opts := []cluster.Option{cluster.Workers(1), cluster.Slots(1), cluster.Output(&out)}
		if keep {
			opts = append(opts, cluster.WorkerProgress())
		}
		ctx := ctxFor(t, 30*time.Second)
		c, err := cluster.Start(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		n, err := shoal.Submit(ctx, c, innerBar, 3).Get(ctx)
		if err != nil || n != 3 {
			t.Errorf("innerBar(3) = %d, %v; want 3", n, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		const bar = "[w1] inner: 3/3 (100%)"
		if got := strings.Contains(out.String(), bar); got != keep {
			t.Errorf("WorkerProgress %v: the workers' output has %q: %v; want %v; output:\n%s", keep, bar, got, keep, out.String())
		}
	}
}

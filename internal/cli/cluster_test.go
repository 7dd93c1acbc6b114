package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/internal/cli"
)

// upRun is a "shoal up" running in this process.
type upRun struct {
	header    string // its output up to "Ctrl-C stops the cluster."
	url       string
	tokenFile string
	stderr    *buffer

	cancel context.CancelFunc
	done   chan error  // the command's error
	rest   chan string // its output after the header, once it returned
}

// startUp runs "shoal up args..." and returns once it has printed that the
// cluster is up, reading its output through a pipe. The cluster stops when
// the test ends, if stop did not stop it before.
func startUp(t *testing.T, args ...string) *upRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	u := &upRun{stderr: new(buffer), cancel: cancel, done: make(chan error, 1), rest: make(chan string, 1)}
	cmd := cli.NewCommand()
	cmd.SetArgs(append([]string{"up"}, args...))
	cmd.SetOut(pw)
	cmd.SetErr(u.stderr)
	go func() {
		err := cmd.ExecuteContext(ctx)
		pw.Close()
		u.done <- err
	}()
	t.Cleanup(func() { u.stop() })

	r := bufio.NewReader(pr)
	var header strings.Builder
	for !strings.HasSuffix(header.String(), "Ctrl-C stops the cluster.\n") {
		line, err := r.ReadString('\n')
		header.WriteString(line)
		if err != nil {
			cancel()
			t.Fatalf("shoal up %q exited before the cluster was up: %v\nstdout:\n%s\nstderr:\n%s", args, <-u.done, header.String(), u.stderr)
		}
	}
	go func() {
		b, _ := io.ReadAll(r)
		u.rest <- string(b)
	}()
	u.header = header.String()
	if m := regexp.MustCompile(`(?m)^  url: +(\S+)$`).FindStringSubmatch(u.header); m != nil {
		u.url = m[1]
	}
	if m := regexp.MustCompile(`(?m)^  token: +in (.+) \(mode 0600\)$`).FindStringSubmatch(u.header); m != nil {
		u.tokenFile = m[1]
	}
	if u.url == "" || u.tokenFile == "" {
		t.Fatalf("shoal up %q: no URL or token file in its output:\n%s", args, u.header)
	}
	return u
}

// stop cancels the command's context and returns its error and the output
// it printed after the header. It may be called more than once.
func (u *upRun) stop() (rest string, err error) {
	u.cancel()
	if err, ok := <-u.done; ok {
		close(u.done)
		return <-u.rest, err
	}
	return "", nil
}

// workerLines matches the table rows of "shoal status": id, host, pid,
// slots.
var workerLines = regexp.MustCompile(`(?m)^(\S+) +(\S+) +(\d+) +(\d+) +\d+ +\d+ +\d+ +\S+$`)

func TestUp(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HOME", home)
	config, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	u := startUp(t, "--workers", "2", "--slots", "1")
	t.Logf("up in %v", time.Since(start))

	if want := filepath.Join(config, "shoal", "token"); u.tokenFile != want {
		t.Errorf("token file %s, want the default %s", u.tokenFile, want)
	}
	fi, err := os.Stat(u.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	token, err := os.ReadFile(u.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if tok := strings.TrimSpace(string(token)); len(tok) < 32 || strings.Contains(u.header, tok) {
		t.Errorf("token %q: want 32 characters or more, not printed; up printed:\n%s", tok, u.header)
	}
	for _, want := range []string{
		"a NATS server and 2 worker processes, 2 slots in all",
		"workers: w1 (pid ",
		"Join a worker: shoal worker --connect " + u.url + " --token-file " + u.tokenFile + "\n",
	} {
		if !strings.Contains(u.header, want) {
			t.Errorf("up printed no %q:\n%s", want, u.header)
		}
	}
	if !strings.HasPrefix(u.url, "nats://127.0.0.1:") {
		t.Errorf("URL %s, want loopback by default", u.url)
	}

	// status finds the token where up put it.
	out, errOut, err := execute(t.Context(), "status", "--connect", u.url)
	if err != nil {
		t.Fatalf("status: %v\n%s", err, errOut)
	}
	rows := workerLines.FindAllStringSubmatch(out, -1)
	if len(rows) != 2 || rows[0][1] != "w1" || rows[1][1] != "w2" || rows[0][4] != "1" {
		t.Errorf("status lists %d workers, want w1 and w2 of 1 slot:\n%s", len(rows), out)
	}

	rest, err := u.stop()
	if err != nil {
		t.Fatalf("up stopped by its context: %v, want nil\nstderr:\n%s", err, u.stderr)
	}
	if !strings.HasSuffix(rest, "stopped\n") {
		t.Errorf("up printed after Ctrl-C:\n%s\nwant it to end with \"stopped\"", rest)
	}
	if _, err := os.Stat(u.tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token file after up stopped: %v, want it removed", err)
	}
}

func TestUpBeyondLoopback(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "sub", "cluster.token")
	u := startUp(t, "-w", "1", "--slots", "1", "--listen", "0.0.0.0:0", "--token-file", tokenFile, "--print-token")
	if u.tokenFile != tokenFile {
		t.Errorf("token file %s, want --token-file %s", u.tokenFile, tokenFile)
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "  token:   " + strings.TrimSpace(string(token)) + "\n"; !strings.Contains(u.header, want) {
		t.Errorf("up --print-token did not print the token:\n%s", u.header)
	}
	if want := "--connect " + u.url + " --token-file " + tokenFile; !strings.Contains(u.header, want) {
		t.Errorf("up printed no %q:\n%s", want, u.header)
	}
	if !strings.HasPrefix(u.url, "nats://0.0.0.0:") {
		t.Errorf("URL %s, want nats://0.0.0.0:port", u.url)
	}
	if !strings.Contains(u.stderr.String(), "not encrypted (no TLS)") {
		t.Errorf("up --listen 0.0.0.0:0 did not warn that traffic is not encrypted; stderr:\n%s", u.stderr)
	}
	if _, err := u.stop(); err != nil {
		t.Fatalf("up stopped by its context: %v, want nil", err)
	}
}

// startCluster starts a cluster of n workers of k slots, and writes its
// token to a file.
func startCluster(t *testing.T, n, k int) (c *cluster.Cluster, tokenFile string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Workers(n), cluster.Slots(k), cluster.Output(&logWriter{t: t}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(c.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return c, tokenFile
}

func TestStatus(t *testing.T) {
	c, tokenFile := startCluster(t, 2, 3)
	out, _, err := execute(t.Context(), "status", "--connect", c.URL(), "--token-file", tokenFile)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if want := c.URL() + ": 2 workers, 6 slots; queue: 0 waiting, 0 running\n"; !strings.HasPrefix(out, want) {
		t.Errorf("status printed:\n%s\nwant it to start with %q", out, want)
	}
	if !strings.Contains(out, "ID  HOST") || !strings.Contains(out, "AGE\n") {
		t.Errorf("status printed no table header:\n%s", out)
	}
	rows := workerLines.FindAllStringSubmatch(out, -1)
	pids := c.PIDs()
	if len(rows) != len(pids) {
		t.Fatalf("status lists %d workers, want %d:\n%s", len(rows), len(pids), out)
	}
	for i, row := range rows {
		if id, pid := fmt.Sprint("w", i+1), fmt.Sprint(pids[i]); row[1] != id || row[3] != pid || row[4] != "3" {
			t.Errorf("status row %q, want worker %s, pid %s, 3 slots", row[0], id, pid)
		}
	}
}

func TestWrongCredentials(t *testing.T) {
	c, _ := startCluster(t, 1, 1)
	wrong := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrong, []byte("not-the-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no default token file
	t.Setenv("HOME", t.TempDir())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--connect", c.URL(), "--token-file", wrong}, "(sent the token in " + wrong + ": check --token-file or --creds)"},
		{[]string{"worker", "--connect", c.URL(), "--token-file", wrong}, "(sent the token in " + wrong + ": check --token-file or --creds)"},
		{[]string{"status", "--connect", c.URL()}, "(sent no credentials: pass --token-file or --creds)"},
		{[]string{"worker", "--connect", c.URL(), "--slots", "1"}, "(sent no credentials: pass --token-file or --creds)"},
	} {
		start := time.Now()
		_, _, err := execute(t.Context(), tt.args...)
		if !errors.Is(err, cluster.ErrAuth) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("shoal %q: err = %v, want cluster.ErrAuth and %q", tt.args, err, tt.want)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("shoal %q took %v to fail, want at once", tt.args, d)
		}
	}
}

func TestWorkerJoins(t *testing.T) {
	c, tokenFile := startCluster(t, 1, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out buffer
	done := make(chan error, 1)
	go func() {
		cmd := cli.NewCommand()
		cmd.SetArgs([]string{"worker", "--connect", c.URL(), "--token-file", tokenFile, "--slots", "2"})
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		done <- cmd.ExecuteContext(ctx)
	}()

	// The worker shows up in the cluster's status within a heartbeat.
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := c.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Workers) == 2 {
			i := slices.IndexFunc(st.Workers, func(w cluster.WorkerStatus) bool { return w.ID != "w1" })
			if w := st.Workers[i]; w.PID != os.Getpid() || w.Slots != 2 {
				t.Errorf("the joined worker: %+v, want pid %d (this process) and 2 slots", w, os.Getpid())
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("worker exited before it joined: %v\n%s", err, out.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not join in 20s; status: %+v\noutput:\n%s", st, out.String())
		}
	}
	got, err := shoal.Submit(t.Context(), c, double, 21).Get(t.Context())
	if err != nil || got != 42 {
		t.Errorf("double(21) on the cluster = %d, %v; want 42", got, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("worker stopped by its context: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not stop within 10s of its context's end")
	}
	if want := "shoal worker: joining " + c.URL() + " with the token in " + tokenFile + ", 2 slots"; !strings.Contains(out.String(), want) {
		t.Errorf("worker printed:\n%s\nwant %q", out.String(), want)
	}
	if !strings.HasSuffix(out.String(), "shoal worker: stopped\n") {
		t.Errorf("worker printed:\n%s\nwant it to end with \"shoal worker: stopped\"", out.String())
	}
}

// double is registered, so that tasks can run on the workers, which are
// this test binary.
func double(_ context.Context, x int) (int, error) { return 2 * x, nil }

func init() { shoal.Register(double) }

func TestClusterBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"up", "--workers", "0"}, `invalid argument "0" for "-w, --workers" flag: must be between 1 and 1024`},
		{[]string{"up", "-w", "many"}, `invalid argument "many" for "-w, --workers" flag`},
		{[]string{"up", "--slots", "0"}, `invalid argument "0" for "--slots" flag: must be between 1 and`},
		{[]string{"up", "--listen", "localhost"}, `invalid argument "localhost" for "--listen" flag: want host:port`},
		{[]string{"up", "--listen", "127.0.0.1:http"}, `invalid argument "127.0.0.1:http" for "--listen" flag: port "http": want a number`},
		{[]string{"up", "now"}, `"shoal up" takes no arguments, got ["now"]`},
		{[]string{"worker"}, `required flag "--connect" not set`},
		{[]string{"worker", "--connect", "nats://x:4222", "--token-file", "t", "--creds", "c"}, `--token-file and --creds are two ways to authenticate: give one`},
		{[]string{"worker", "--connect", "nats://x:4222", "--tls-cert", "c.pem"}, `--tls-cert and --tls-key go together`},
		{[]string{"worker", "--connect", "nats://x:4222", "--slots", "-1"}, `invalid argument "-1" for "--slots" flag`},
		{[]string{"worker", "--connect", "nats://x:4222", "--replicas", "4x"}, `invalid argument "4x" for "--replicas" flag`},
		{[]string{"worker", "--connect", "nats://x:4222", "--replicas", "7"}, `invalid argument "7" for "--replicas" flag: must be between 1 and 5`},
		{[]string{"worker", "--connect", "nats://x:4222", "--exec", "/nonexistent/app"}, `worker: --exec: cluster: worker binary: exec: "/nonexistent/app"`},
		{[]string{"worker", "--connect", "nats://x:4222", "--exec", "app", "--tls-ca", "/nonexistent/ca.pem"}, `worker: --tls-ca: open /nonexistent/ca.pem`},
		{[]string{"worker", "--connect", "nats://x:4222", "--token-file", "/nonexistent/token"}, `worker: --token-file: open /nonexistent/token: no such file or directory`},
		{[]string{"status"}, `required flag "--connect" not set`},
		{[]string{"status", "--connect", "nats://x:4222", "--tls-ca", "/nonexistent/ca.pem"}, `status: --tls-ca: open /nonexistent/ca.pem`},
		{[]string{"status", "--connct", "nats://x:4222"}, `unknown flag: --connct`},
		{[]string{"demo", "--cluster", "0"}, `invalid argument "0" for "--cluster" flag: must be between 1 and 1024`},
		{[]string{"stauts"}, `unknown command "stauts" for "shoal"; did you mean "status"?`},
	}
	for _, tt := range tests {
		start := time.Now()
		out, _, err := execute(t.Context(), tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("shoal %q: err = %v, want it to contain %q", tt.args, err, tt.want)
		}
		if out != "" {
			t.Errorf("shoal %q: printed %q before failing, want nothing", tt.args, out)
		}
		if d := time.Since(start); d > 5*time.Second { // a connection attempt would take 10 s
			t.Errorf("shoal %q took %v to fail, want at once", tt.args, d)
		}
	}
}

func TestDemoCluster(t *testing.T) {
	out, errOut, err := execute(t.Context(), "demo", "traders", "--size", "small", "--workers", "2", "--cluster", "2")
	if err != nil {
		t.Fatalf("demo --cluster 2: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	// The same answer as TestDemoSmall's on a pool, which the demo also
	// compares itself.
	for _, want := range []string{
		"cluster, the same maps on 2 worker processes × 1 slot, started in ",
		"smart traders: 4 of 100",
		"per asset:  1  1  1  1",
		"73      2    $3,296.11   0.0003",
		"the three answers agree: the same 4 smart traders",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --cluster 2: output lacks %q; got:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^cluster +\d+\.\d\ds +\d+\.\d\d×  on 2 worker processes × 1 slot$`).MatchString(out) {
		t.Errorf("demo --cluster 2: no timing line for the cluster; got:\n%s", out)
	}
	// The driver's bar counts the assets done on the workers.
	if !strings.Contains(errOut, "assets: 4/4 (100%)") {
		t.Errorf("demo --cluster 2: error output lacks the assets bar; got:\n%s", errOut)
	}
}

// logWriter sends worker output to the test log.
type logWriter struct{ t *testing.T }

func (w *logWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func TestUpExecNotAWorker(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	out, _, err := execute(t.Context(), "up", "-w", "1", "--exec", "/bin/true", "--token-file", tokenFile)
	if err == nil || !strings.Contains(err.Error(), "up: cluster: worker w1 exited while starting") {
		t.Errorf("up --exec /bin/true: err = %v, want the worker's early exit", err)
	}
	if out != "" {
		t.Errorf("up --exec /bin/true printed %q, want nothing", out)
	}
	if _, err := os.Stat(tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("up --exec /bin/true left a token file: %v", err)
	}
}

// pidSleep sleeps d and returns the pid of the worker that ran it.
func pidSleep(_ context.Context, d time.Duration) (int, error) {
	time.Sleep(d)
	return os.Getpid(), nil
}

func init() { shoal.Register(pidSleep) }

// workerRun is a "shoal worker" running in this process.
type workerRun struct {
	out, errOut *buffer
	cancel      context.CancelFunc
	done        chan error
}

// startWorker runs "shoal worker args..." until its stop.
func startWorker(t *testing.T, args ...string) *workerRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	w := &workerRun{out: new(buffer), errOut: new(buffer), cancel: cancel, done: make(chan error, 1)}
	cmd := cli.NewCommand()
	cmd.SetArgs(append([]string{"worker"}, args...))
	cmd.SetOut(w.out)
	cmd.SetErr(w.errOut)
	go func() { w.done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(30 * time.Second):
			t.Errorf("shoal worker %q did not stop within 30s of its context's end", args)
		}
	})
	return w
}

// stop ends the command's context and returns its error.
func (w *workerRun) stop(t *testing.T) error {
	t.Helper()
	w.cancel()
	select {
	case err := <-w.done:
		w.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("worker did not stop within 20s of its context's end\nstdout:\n%s\nstderr:\n%s", w.out, w.errOut)
		return nil
	}
}

func TestWorkerExec(t *testing.T) {
	c, tokenFile := startCluster(t, 1, 1)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, "--connect", c.URL(), "--token-file", tokenFile, "--slots", "2", "--exec", exe)

	// The program joins as one more worker, in a process of its own.
	var joined cluster.WorkerStatus
	deadline := time.Now().Add(20 * time.Second)
	for joined.ID == "" {
		st, err := c.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(st.Workers, func(w cluster.WorkerStatus) bool { return w.ID != "w1" }); i >= 0 {
			joined = st.Workers[i]
			break
		}
		select {
		case err := <-w.done:
			t.Fatalf("worker --exec exited before its program joined: %v\nstdout:\n%s\nstderr:\n%s", err, w.out, w.errOut)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not join in 20s\nstdout:\n%s\nstderr:\n%s", w.out, w.errOut)
		}
	}
	if joined.PID == os.Getpid() || joined.Slots != 2 {
		t.Errorf("the joined worker: %+v; want another process with 2 slots", joined)
	}
	in := make([]time.Duration, 12)
	for i := range in {
		in[i] = 50 * time.Millisecond
	}
	pids, err := shoal.Map(t.Context(), c, in, pidSleep, shoal.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, joined.PID) {
		t.Errorf("no task of 12 ran on the joined worker %d: %v", joined.PID, pids)
	}

	if err := w.stop(t); err != nil {
		t.Errorf("worker --exec stopped by its context: %v, want nil\nstderr:\n%s", err, w.errOut)
	}
	st, err := c.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Workers) != 1 {
		t.Errorf("status after the worker stopped: %+v; want w1 alone", st.Workers)
	}
	if want := "shoal worker: running " + exe + " as a worker of " + c.URL() + " with the token in " + tokenFile + ", 2 slots"; !strings.Contains(w.out.String(), want) {
		t.Errorf("worker printed:\n%s\nwant %q", w.out, want)
	}
	if !strings.HasSuffix(w.out.String(), "shoal worker: stopped\n") {
		t.Errorf("worker printed:\n%s\nwant it to end with \"shoal worker: stopped\"", w.out)
	}
	// The program's own standard error comes through.
	for _, want := range []string{"shoal worker " + joined.ID + ": joining " + c.URL(), "shoal worker " + joined.ID + ": stopped"} {
		if !strings.Contains(w.errOut.String(), want) {
			t.Errorf("worker's error output:\n%s\nwant %q", w.errOut, want)
		}
	}
}

func TestWorkerExecFails(t *testing.T) {
	c, _ := startCluster(t, 1, 1)
	wrong := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrong, []byte("not-the-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, errOut, err := execute(t.Context(), "worker", "--connect", c.URL(), "--token-file", wrong, "--exec", exe)
	if !errors.Is(err, cli.ErrExecWorker) || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("worker --exec with a wrong token: err = %v; want ErrExecWorker and exit status 1", err)
	}
	if want := "not authorized by the server"; !strings.Contains(errOut, want) {
		t.Errorf("worker --exec with a wrong token: error output:\n%s\nwant the program's %q", errOut, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("worker --exec with a wrong token took %v to fail", d)
	}
}

// worker --exec exits with its program's own status.
func TestWorkerExecExitStatus(t *testing.T) {
	c, _ := startCluster(t, 1, 1)
	prog := filepath.Join(t.TempDir(), "exit3")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(t.Context(), []string{"worker", "--connect", c.URL(), "--exec", prog}, &out, &errOut); code != 3 {
		t.Errorf("worker --exec of a program exiting 3: status %d, want 3\n%s", code, errOut.String())
	}
}

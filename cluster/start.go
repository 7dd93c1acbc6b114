package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cluster is a cluster on this machine, made by Start: an embedded NATS
// server and worker processes. It is an executor like its Client (tasks
// submitted to it run on its workers) and is safe for concurrent use.
type Cluster struct {
	*Client
	srv   *embedded
	cfg   *config
	procs []*proc
	spawn *spawner

	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Start runs a cluster on this machine: an embedded NATS server with
// JetStream (listening on loopback at a random port, its store in a
// temporary directory, every client required to present a token generated
// from crypto/rand), and Workers(n) worker processes, each a re-run of this
// program (or Binary) that must call Main first thing. It returns once
// every worker is serving, or fails if one exits first (with its exit
// status and last lines of output), or if ctx ends or StartTimeout passes
// first. Like `ipcluster start --n=4`.
//
// Worker processes exit when the driver goes away, even when it is killed
// with SIGKILL: their standard input is a pipe from the driver, and on
// Linux they also get SIGKILL when it dies. Call Close to stop them.
func Start(ctx context.Context, opts ...Option) (*Cluster, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if os.Getenv(envURL) != "" {
		return nil, errors.New("cluster: Start in a worker process: call cluster.Main() first thing in main (and in TestMain)")
	}
	bin := cfg.binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cluster: finding this program's binary: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.startTimeout)
	defer cancel()

	srv, err := startServer(cfg)
	if err != nil {
		return nil, err
	}
	if host, _, _ := net.SplitHostPort(cfg.listen); !isLoopback(host) {
		fmt.Fprintf(cfg.output, "cluster: listening on %s beyond loopback: clients need the token, and traffic is not encrypted (no TLS)\n", srv.url)
	}
	c := &Cluster{srv: srv, cfg: cfg, spawn: newSpawner()}
	ccfg := *cfg
	ccfg.token = srv.token
	ccfg.inProcess = srv.ns
	b, err := connect(ctx, srv.url, &ccfg, "shoal driver")
	if err == nil {
		c.Client = b.client()
		_, err = b.ensureConsumer(ctx) // with this cluster's AckWait
	}
	if err == nil {
		err = c.startWorkers(ctx, bin)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// URL returns the client URL of the cluster's server, for Connect and for
// workers started elsewhere with Serve.
func (c *Cluster) URL() string { return c.srv.url }

// Token returns the token the cluster's server requires (see Token).
func (c *Cluster) Token() string { return c.srv.token }

// PIDs returns the process ids of the worker processes, in order of their
// ids (w1, w2, ...), including those that have exited.
func (c *Cluster) PIDs() []int {
	pids := make([]int, len(c.procs))
	for i, p := range c.procs {
		pids[i] = p.cmd.Process.Pid
	}
	return pids
}

// Close stops the cluster: it closes its client (failing calls in flight
// with ErrClosed), tells the workers to stop and waits for their processes
// to exit (killing those still running after a grace period of a few
// seconds), stops the server and removes its store. It may be called more
// than once; later calls return the first call's result.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		c.closing.Store(true)
		if c.Client != nil {
			c.Client.Close()
		}
		for _, p := range c.procs {
			p.stdin.Close() // the worker's signal to stop
		}
		timer := time.NewTimer(c.cfg.stopGrace)
		defer timer.Stop()
		expired := false
		for _, p := range c.procs {
			if !expired {
				select {
				case <-p.done:
					continue
				case <-timer.C:
					expired = true
					for _, q := range c.procs {
						_ = q.cmd.Process.Kill()
					}
				}
			}
			<-p.done
		}
		c.spawn.stop()
		c.closeErr = c.srv.shutdown()
	})
	return c.closeErr
}

// proc is a worker process.
type proc struct {
	id    string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	tail  *tail
	done  chan struct{} // closed when the process has exited and its output is copied
	err   error         // cmd.Wait's, once done
}

func (c *Cluster) startWorkers(ctx context.Context, bin string) error {
	out := &syncWriter{w: c.cfg.output}
	ids := make([]string, c.cfg.workers)
	for i := range ids {
		ids[i] = "w" + strconv.Itoa(i+1)
		p, err := c.startProc(bin, ids[i], out)
		if err != nil {
			return err
		}
		c.procs = append(c.procs, p)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !c.b.workers.has(ids) {
		for _, p := range c.procs {
			select {
			case <-p.done:
				return fmt.Errorf("cluster: worker %s exited while starting (%v); its last output:\n%s", p.id, p.err, p.tail)
			default:
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("cluster: waiting for workers to serve: %w", ctx.Err())
		}
	}
	return nil
}

func (c *Cluster) startProc(bin, id string, out *syncWriter) (*proc, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(withoutWorkerEnv(os.Environ()), c.cfg.env...)
	cmd.Env = append(cmd.Env,
		envURL+"="+c.srv.url,
		envToken+"="+c.srv.token,
		envID+"="+id,
		envPPID+"="+strconv.Itoa(os.Getpid()),
		envPipe+"=1",
	)
	cmd.Env = appendServeEnv(cmd.Env, c.cfg)
	p := &proc{id: id, cmd: cmd, tail: &tail{max: 20}, done: make(chan struct{})}
	prefix := "[" + id + "] "
	stdout := &lineWriter{out: out, prefix: prefix, tail: p.tail}
	stderr := &lineWriter{out: out, prefix: prefix, tail: p.tail}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second // in case something else holds the output pipes
	cmd.SysProcAttr = sysProcAttr()
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("cluster: worker %s: %w", id, err)
	}
	if err := c.spawn.start(cmd); err != nil {
		return nil, fmt.Errorf("cluster: starting worker %s (%s): %w", id, bin, err)
	}
	go func() {
		p.err = cmd.Wait()
		stdout.flush()
		stderr.flush()
		if !c.closing.Load() && p.err != nil {
			stderr.emit([]byte(fmt.Sprintf("worker exited: %v", p.err)))
			c.b.workerDied(id) // its tasks go back to the queue now, not after AckWait
		}
		close(p.done)
	}()
	return p, nil
}

// syncWriter serializes writes of whole lines from several workers.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// lineWriter prefixes each line written to it and keeps the last ones.
type lineWriter struct {
	mu     sync.Mutex
	out    io.Writer
	prefix string
	tail   *tail
	buf    []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > 64<<10 { // a very long line: emit it in pieces
		l.emit(l.buf)
		l.buf = nil
	}
	return len(p), nil
}

func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	l.tail.add(string(line))
	msg := make([]byte, 0, len(l.prefix)+len(line)+1)
	msg = append(append(append(msg, l.prefix...), line...), '\n')
	_, _ = l.out.Write(msg)
}

// tail keeps the last max lines of a worker's output, for the error of a
// worker that failed to start.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return "\t(no output)"
	}
	return "\t" + strings.Join(t.lines, "\n\t")
}

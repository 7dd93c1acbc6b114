package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// The environment of a worker process: Main serves when envURL is set, with
// the options the others give, and unsets them all. The package doc lists
// those a deployment may set by hand (systemd, Kubernetes); envPPID and
// envPipe are Start's only.
const (
	envPrefix        = "SHOAL_WORKER_"
	envURL           = envPrefix + "URL"
	envToken         = envPrefix + "TOKEN"
	envCreds         = envPrefix + "CREDS"
	envTLSCA         = envPrefix + "TLS_CA"
	envTLSCert       = envPrefix + "TLS_CERT"
	envTLSKey        = envPrefix + "TLS_KEY"
	envSlots         = envPrefix + "SLOTS"
	envGrace         = envPrefix + "GRACE"
	envReplicas      = envPrefix + "REPLICAS"
	envAckWait       = envPrefix + "ACK_WAIT"
	envMaxAckPending = envPrefix + "MAX_ACK_PENDING"
	envCacheBytes    = envPrefix + "CACHE_BYTES"
	envProgress      = envPrefix + "PROGRESS"
	envID            = envPrefix + "ID"
	envPPID          = envPrefix + "PPID"  // the driver's pid: a worker whose parent differs exits
	envPipe          = envPrefix + "STDIN" // "1": end of standard input means the driver is gone
)

// stopLimit is how long a worker process waits, after its grace period,
// for tasks that ignore the cancellation of their context before it exits
// anyway.
const stopLimit = 5 * time.Second

// WorkerCommand returns a command that runs binary as a worker of the
// cluster at url: cluster.Main, first thing in that binary's main, calls
// Serve with these options and exits when it returns. binary must be a
// program built with shoal that registers the functions the cluster's
// drivers call (it is looked up in PATH if it has no path separator); url
// is as for Connect. The command is not started: set its Stdout and Stderr
// (by default they are discarded), Dir or SysProcAttr as needed, and call
// Start or Run. For systemd or Kubernetes, set the same environment in the
// unit or the pod spec instead (see the package doc).
//
// The options travel in the command's environment, added to this
// process's: Token, CredsFile, TLSFiles, Slots, Grace, Replicas, AckWait,
// MaxAckPending, CacheBytes, WorkerProgress and Env. A token is never put
// on the command line; a credentials file or a certificate goes by its
// absolute path, which the worker reads. TLS fails with an error wrapping
// shoal.ErrInvalidOption, as a *tls.Config cannot travel: give TLSFiles.
// Options of Start only (Workers, Binary, Output, Listen ...) are ignored.
//
// Unlike the workers of Start, such a worker is not tied to a driver: it
// reconnects when the connection drops, for as long as it takes, and stops
// on SIGTERM or SIGINT (os.Interrupt), by letting its running tasks finish
// for the Grace period (10 seconds by default) and putting the others back
// in the queue; signals after the first are ignored. It exits with status
// 0 then, with 1 if it cannot connect (a refused token: "cluster: not
// authorized by the server ..." on its standard error), loses the
// connection for good, or has tasks that ignore their cancellation for 5
// seconds, and with 2 if its environment is invalid. Its standard error
// gets a line when it joins and when it stops. On Windows, where a process
// cannot be sent SIGTERM, only Kill stops it; its tasks then run again
// elsewhere after AckWait.
func WorkerCommand(binary, url string, opts ...Option) (*exec.Cmd, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	switch {
	case binary == "":
		return nil, fmt.Errorf("%w: cluster.WorkerCommand: empty binary", shoal.ErrInvalidOption)
	case url == "":
		return nil, fmt.Errorf("%w: cluster.WorkerCommand: empty url", shoal.ErrInvalidOption)
	case cfg.tls != nil:
		return nil, fmt.Errorf("%w: cluster.WorkerCommand: a *tls.Config (cluster.TLS) cannot travel to another process: give cluster.TLSFiles", shoal.ErrInvalidOption)
	}
	if _, err := exec.LookPath(binary); err != nil {
		return nil, fmt.Errorf("cluster: worker binary: %w", err)
	}
	cmd := exec.Command(binary)
	env := append(withoutWorkerEnv(os.Environ()), cfg.env...)
	add := func(k, v string) { env = append(env, k+"="+v) }
	addPath := func(k, path string) error {
		if path == "" {
			return nil
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("cluster: %s: %w", path, err)
		}
		add(k, abs)
		return nil
	}
	add(envURL, url)
	if cfg.token != "" {
		add(envToken, cfg.token)
	}
	if err := addPath(envCreds, cfg.creds); err != nil {
		return nil, err
	}
	if f := cfg.tlsFiles; f != nil {
		for _, kv := range [][2]string{{envTLSCA, f.ca}, {envTLSCert, f.cert}, {envTLSKey, f.key}} {
			if err := addPath(kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
	}
	if cfg.graceSet {
		add(envGrace, cfg.grace.String())
	}
	if cfg.replicas != 1 {
		add(envReplicas, strconv.Itoa(cfg.replicas))
	}
	if cfg.ackWait != defaultAckWait {
		add(envAckWait, cfg.ackWait.String())
	}
	if cfg.maxAckPending != defaultMaxAckPending {
		add(envMaxAckPending, strconv.Itoa(cfg.maxAckPending))
	}
	cmd.Env = appendServeEnv(env, cfg)
	return cmd, nil
}

// appendServeEnv adds to env the options of cfg that every worker process
// takes, from Start or WorkerCommand.
func appendServeEnv(env []string, cfg *config) []string {
	if cfg.slots > 0 {
		env = append(env, envSlots+"="+strconv.Itoa(cfg.slots))
	}
	if cfg.cacheBytes != defaultCacheBytes {
		env = append(env, envCacheBytes+"="+strconv.FormatInt(cfg.cacheBytes, 10))
	}
	if cfg.progress {
		env = append(env, envProgress+"=1")
	}
	return env
}

// withoutWorkerEnv returns env without the variables of a worker process,
// so that none leaks from this process's environment to a new worker;
// but for SHOAL_WORKER_PROGRESS, which a user may set for a driver's
// workers.
func withoutWorkerEnv(env []string) []string {
	out := make([]string, 0, len(env)+16)
	for _, kv := range env {
		if !strings.HasPrefix(kv, envPrefix) || strings.HasPrefix(kv, envProgress+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// Main is the role switch of a program that can be a worker: call it first
// thing in main, and in TestMain of test packages that start clusters. In a
// process started as a worker — by Start, by WorkerCommand, or with
// SHOAL_WORKER_URL in its environment — it serves tasks until told to stop,
// then exits the process; otherwise it returns at once.
//
// A worker of Start stops when the driver tells it to or goes away. Any
// other stops on SIGTERM or SIGINT, as WorkerCommand says. In either, the
// progress bars of tasks go nowhere unless WorkerProgress or
// SHOAL_WORKER_PROGRESS=1 keeps them.
func Main() {
	url := os.Getenv(envURL)
	if url == "" {
		return
	}
	os.Exit(workerMain(url))
}

// workerMain serves as the environment says and returns the exit status.
func workerMain(url string) int {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, envPrefix) {
			env[k] = v
			os.Unsetenv(k) // not for the worker's own children
		}
	}
	// A worker of Start is tied to its driver: it neither reconnects nor
	// lingers, and says nothing unless something goes wrong.
	tied := env[envPPID] != ""
	id := env[envID]
	if id == "" {
		id = defaultID()
	}
	name := "shoal worker " + id
	opts, grace, err := serveOptions(env, tied)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 2
	}
	opts = append(opts, workerID(id))
	if tied && env[envPPID] != strconv.Itoa(os.Getppid()) {
		return 1 // the driver died before we could watch it
	}
	if env[envProgress] != "1" {
		progress.Configure(progress.Config{Output: io.Discard})
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if env[envPipe] == "1" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin) // returns when the driver closes the pipe or dies
			cancel()
		}()
	}
	logf := func(format string, args ...any) {
		if !tied {
			fmt.Fprintf(os.Stderr, "%s: %s\n", name, fmt.Sprintf(format, args...))
		}
	}
	logf("joining %s", redactURL(url))
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, url, opts...) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		if grace > 0 {
			logf("stopping (%v): running tasks have %v to finish", context.Cause(ctx), grace)
		} else {
			logf("stopping (%v)", context.Cause(ctx))
		}
		limit := time.NewTimer(grace + stopLimit)
		defer limit.Stop()
		select {
		case err = <-served:
		case <-limit.C:
			fmt.Fprintf(os.Stderr, "%s: tasks still running %v after they were cancelled; exiting (they run again elsewhere after the queue's ack wait)\n", name, stopLimit)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		if errors.Is(err, shoal.ErrInvalidOption) {
			return 2
		}
		return 1
	}
	logf("stopped")
	return 0
}

// serveOptions returns the options of Serve that env gives, and the grace
// period. A malformed value is an error; an invalid one (SLOTS=0) is
// Serve's to report.
func serveOptions(env map[string]string, tied bool) (opts []Option, grace time.Duration, err error) {
	if tied {
		opts = append(opts, noReconnect())
	} else {
		grace = defaultWorkerGrace
	}
	if v := env[envToken]; v != "" {
		opts = append(opts, Token(v))
	}
	if v := env[envCreds]; v != "" {
		opts = append(opts, CredsFile(v))
	}
	if ca, cert, key := env[envTLSCA], env[envTLSCert], env[envTLSKey]; ca != "" || cert != "" || key != "" {
		opts = append(opts, TLSFiles(ca, cert, key))
	}
	ints := []struct {
		key string
		opt func(int64) Option
	}{
		{envSlots, func(n int64) Option { return Slots(int(n)) }},
		{envReplicas, func(n int64) Option { return Replicas(int(n)) }},
		{envMaxAckPending, func(n int64) Option { return MaxAckPending(int(n)) }},
		{envCacheBytes, CacheBytes},
	}
	for _, o := range ints {
		if v, ok := env[o.key]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, 0, fmt.Errorf("%s=%q: want a whole number", o.key, v)
			}
			opts = append(opts, o.opt(n))
		}
	}
	if v, ok := env[envAckWait]; ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, 0, fmt.Errorf("%s=%q: want a duration such as 30s", envAckWait, v)
		}
		opts = append(opts, AckWait(d))
	}
	if v, ok := env[envGrace]; ok {
		if grace, err = time.ParseDuration(v); err != nil {
			return nil, 0, fmt.Errorf("%s=%q: want a duration such as 10s", envGrace, v)
		}
	}
	return append(opts, Grace(grace)), grace, nil
}

// defaultID is the id of a worker that was given none: host-pid.
func defaultID() string {
	host, _ := os.Hostname()
	return keySafe(fmt.Sprintf("%s-%d", host, os.Getpid()))
}

// redactURL hides any user and password in url, for logs.
func redactURL(url string) string {
	servers := strings.Split(url, ",")
	for i, s := range servers {
		scheme, rest, ok := strings.Cut(s, "://")
		if !ok {
			scheme, rest = "", s
		}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = "***@" + rest[at+1:]
		}
		if ok {
			rest = scheme + "://" + rest
		}
		servers[i] = rest
	}
	return strings.Join(servers, ",")
}

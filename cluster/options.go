package cluster

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/shoal-go/shoal"
)

// Option configures Start, Connect, Serve or WorkerCommand. Each option
// says which of them it applies to; the others ignore it. An invalid value (Workers(0),
// AckWait(-1s)) makes the call fail with an error wrapping
// shoal.ErrInvalidOption.
type Option func(*config)

// Defaults, as documented on the options.
const (
	defaultWorkers       = 2
	defaultAckWait       = 30 * time.Second
	defaultMaxAckPending = 20000
	defaultRedeliver     = 2
	defaultStartTimeout  = 60 * time.Second
	defaultMaxMemory     = 1 << 30 // 1 GiB
	defaultMaxStore      = 8 << 30 // 8 GiB
	defaultCacheBytes    = 512 << 20
	defaultMaxValue      = 512 << 20
	defaultStopGrace     = 5 * time.Second
	defaultWorkerGrace   = 10 * time.Second // of a worker process not started by Start
	defaultLostGrace     = time.Second      // see backend.reconnected
)

type config struct {
	workers       int
	slots         int // 0: the worker's GOMAXPROCS
	binary        string
	output        io.Writer
	outputSet     bool
	env           []string
	listen        string
	token         string
	creds         string
	tls           *tls.Config
	tlsFiles      *tlsFiles
	ackWait       time.Duration
	maxAckPending int
	redeliver     int
	startTimeout  time.Duration
	stopGrace     time.Duration
	maxMemory     int64
	maxStore      int64
	cacheBytes    int64
	replicas      int
	grace         time.Duration
	graceSet      bool
	progress      bool // keep the progress output of worker processes

	// Set by Main for a worker process.
	id          string
	noReconnect bool

	inProcess nats.InProcessConnProvider // Start's driver talks to its embedded server without a socket

	noInline  bool          // for tests: nested chunks always go through the queue
	lostGrace time.Duration // how long after a reconnect answers may still arrive

	err error // the first invalid option
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		workers:       defaultWorkers,
		listen:        "127.0.0.1:0",
		ackWait:       defaultAckWait,
		maxAckPending: defaultMaxAckPending,
		redeliver:     defaultRedeliver,
		startTimeout:  defaultStartTimeout,
		stopGrace:     defaultStopGrace,
		maxMemory:     defaultMaxMemory,
		maxStore:      defaultMaxStore,
		cacheBytes:    defaultCacheBytes,
		replicas:      1,
		lostGrace:     defaultLostGrace,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.err == nil && c.tls != nil && c.tlsFiles != nil {
		c.invalid("TLS and cluster.TLSFiles: give one")
	}
	if c.err != nil {
		return nil, c.err
	}
	if !c.outputSet {
		c.output = os.Stderr
	}
	if c.output == nil {
		c.output = io.Discard
	}
	return c, nil
}

func (c *config) invalid(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: cluster."+format, append([]any{shoal.ErrInvalidOption}, args...)...)
	}
}

// Workers sets how many worker processes Start runs. The default is 2, so
// that work is spread over processes from the start; each runs Slots tasks
// at once. n must be at least 1. Start only.
func Workers(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.invalid("Workers(%d): must be at least 1", n)
		}
		c.workers = n
	}
}

// Slots sets how many tasks a worker runs at once. The default is the
// worker process's runtime.GOMAXPROCS(0). A task waiting on sub-tasks does
// not count while it waits. k must be at least 1. Start (for each worker),
// Serve and WorkerCommand.
func Slots(k int) Option {
	return func(c *config) {
		if k < 1 {
			c.invalid("Slots(%d): must be at least 1", k)
		}
		c.slots = k
	}
}

// Binary sets the program Start runs as its workers. The default is this
// program's own executable (os.Executable), which must call Main first
// thing in main (or in TestMain). The binary must register the same
// functions as the driver. Start only.
func Binary(path string) Option {
	return func(c *config) {
		if path == "" {
			c.invalid("Binary(%q): empty path", path)
		}
		c.binary = path
	}
}

// Output sets where the standard output and standard error of the worker
// processes go, each line prefixed with the worker's id ("[w1] ..."). The
// default is os.Stderr; Output(nil) or Output(io.Discard) drops them. Writes
// are serialized, one line at a time. Start only.
func Output(w io.Writer) Option {
	return func(c *config) {
		c.output, c.outputSet = w, true
	}
}

// Env adds environment variables, each "KEY=value", to those the worker
// processes inherit from this process. Start and WorkerCommand.
func Env(vars ...string) Option {
	return func(c *config) {
		for _, v := range vars {
			if !strings.Contains(v, "=") {
				c.invalid("Env(%q): want KEY=value", v)
			}
		}
		c.env = append(c.env, vars...)
	}
}

// Listen sets the address the embedded server listens on for clients. The
// default is "127.0.0.1:0": loopback, a port chosen by the system. An
// address beyond loopback is reachable by other machines, protected by the
// cluster's token only: Start warns on its Output that traffic is not
// encrypted. Start only.
func Listen(addr string) Option {
	return func(c *config) {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			c.invalid("Listen(%q): %v", addr, err)
		}
		c.listen = addr
	}
}

// Token sets the token a client presents to the server. With Start it sets
// the token the embedded server requires instead of a generated one.
// Start, Connect, Serve and WorkerCommand.
func Token(token string) Option {
	return func(c *config) {
		if token == "" {
			c.invalid("Token: empty token")
		}
		c.token = token
	}
}

// CredsFile authenticates with a NATS credentials file (a user JWT and its
// nkey seed), as issued by an operator for a secured NATS deployment.
// Connect, Serve and WorkerCommand.
func CredsFile(path string) Option {
	return func(c *config) {
		if path == "" {
			c.invalid("CredsFile(%q): empty path", path)
		}
		c.creds = path
	}
}

// TLS makes the connection use TLS with cfg (server verification, client
// certificates). A "tls://" URL uses TLS with the default configuration.
// Connect and Serve; a *tls.Config cannot travel to another process, so
// WorkerCommand fails with it: give TLSFiles instead.
func TLS(cfg *tls.Config) Option {
	return func(c *config) {
		if cfg == nil {
			c.invalid("TLS(nil)")
		}
		c.tls = cfg
	}
}

// TLSFiles makes the connection use TLS with certificates read from PEM
// files when it connects: caFile holds the authorities that signed the
// servers' certificates ("" for the system's), certFile and keyFile a
// client certificate and its private key, for servers that verify clients
// (both or neither). Unlike a *tls.Config, file names can travel to a
// worker process in its environment. Give TLS or TLSFiles, not both.
// Connect, Serve and WorkerCommand.
func TLSFiles(caFile, certFile, keyFile string) Option {
	return func(c *config) {
		switch {
		case caFile == "" && certFile == "":
			c.invalid("TLSFiles(%q, %q, %q): no file", caFile, certFile, keyFile)
		case (certFile == "") != (keyFile == ""):
			c.invalid("TLSFiles(%q, %q, %q): a client certificate and its key go together", caFile, certFile, keyFile)
		}
		c.tlsFiles = &tlsFiles{ca: caFile, cert: certFile, key: keyFile}
	}
}

// tlsFiles are the PEM files of TLSFiles.
type tlsFiles struct{ ca, cert, key string }

// Grace sets how long a worker that is told to stop lets its running tasks
// finish. When the context of Serve ends, or a worker process of
// WorkerCommand gets SIGTERM or SIGINT, the worker takes no more tasks and
// puts those not yet started back in the queue at once; the running ones
// have d to finish and answer, and are then cancelled and put back in the
// queue too (another worker runs them). The default is 0 for Serve, which
// cancels them at once, and 10 seconds for a worker process of
// WorkerCommand, well within the 30 seconds Kubernetes gives a pod to
// stop. d must not be negative. Serve and WorkerCommand.
func Grace(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.invalid("Grace(%v): must not be negative", d)
		}
		c.grace, c.graceSet = d, true
	}
}

// WorkerProgress keeps the progress bars of the work that tasks do on
// worker processes (a shoal.Map with shoal.Progress inside a task). By
// default a worker process, one where Main serves, sends progress output
// nowhere: such bars would only interleave with the driver's. With
// WorkerProgress they print on the worker's standard error, which for the
// workers of Start means lines on Output prefixed with the worker's id
// ("[w1] traders: 25/25 (100%)"). Without the option, a worker process
// keeps them when its environment has SHOAL_WORKER_PROGRESS=1, which the
// workers of Start and WorkerCommand inherit from this process's. Start and
// WorkerCommand.
func WorkerProgress() Option {
	return func(c *config) { c.progress = true }
}

// AckWait sets how long a task may go without a sign of life from its
// worker before the queue hands it to another worker. Workers send one
// every AckWait/3 while a task runs, so only a lost worker (killed,
// partitioned, frozen) makes a task wait that long. The default is 30
// seconds; tests use less. It is a property of the cluster's queue, set by
// whoever creates it first: Start, or the first Serve (or WorkerCommand's
// worker) on a new server.
func AckWait(d time.Duration) Option {
	return func(c *config) {
		if d < 100*time.Millisecond {
			c.invalid("AckWait(%v): must be at least 100ms", d)
		}
		c.ackWait = d
	}
}

// MaxAckPending bounds the tasks handed to workers and not yet finished,
// over the whole cluster (the queue's backpressure). It must exceed the
// cluster's total slots plus the tasks that wait on sub-tasks, or nested
// work stalls. The default is 20,000. Like AckWait, it is set by whoever
// creates the queue. Start, Serve and WorkerCommand.
func MaxAckPending(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.invalid("MaxAckPending(%d): must be at least 1", n)
		}
		c.maxAckPending = n
	}
}

// Redeliver sets how many more times a task whose worker was lost (killed,
// or gone silent for AckWait) runs again on another worker, when the call's
// own shoal.Retry budget is smaller. After that the task fails with an
// error wrapping ErrLostWorker. The default is 2. Start and Connect (it is
// the driver's choice, carried by each task).
func Redeliver(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.invalid("Redeliver(%d): must not be negative", n)
		}
		c.redeliver = n
	}
}

// StartTimeout bounds how long Start waits for its workers to serve, when
// ctx has no earlier deadline. The default is one minute.
func StartTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.invalid("StartTimeout(%v): must be positive", d)
		}
		c.startTimeout = d
	}
}

// MaxMemory and MaxStore bound what the embedded server keeps in memory
// (queued tasks, worker status) and on disk (shared values of Put, large
// arguments and results), in bytes. The defaults are 1 GiB and 8 GiB.
// Start only.
func MaxMemory(bytes int64) Option {
	return func(c *config) {
		if bytes < 1<<20 {
			c.invalid("MaxMemory(%d): must be at least 1 MiB", bytes)
		}
		c.maxMemory = bytes
	}
}

// MaxStore bounds what the embedded server keeps on disk; see MaxMemory.
func MaxStore(bytes int64) Option {
	return func(c *config) {
		if bytes < 1<<20 {
			c.invalid("MaxStore(%d): must be at least 1 MiB", bytes)
		}
		c.maxStore = bytes
	}
}

// CacheBytes bounds the shared values (of shoal.Put) a process keeps after
// fetching them, in encoded bytes; the least recently used go first. The
// default is 512 MiB. Start (for each worker), Connect, Serve and
// WorkerCommand.
func CacheBytes(n int64) Option {
	return func(c *config) {
		if n < 0 {
			c.invalid("CacheBytes(%d): must not be negative", n)
		}
		c.cacheBytes = n
	}
}

// Replicas sets how many servers keep a copy of the cluster's queue,
// status and object store when Connect or Serve creates them on a NATS
// cluster (3 or 5 in production; see deploy/). The default is 1. Connect,
// Serve and WorkerCommand.
func Replicas(n int) Option {
	return func(c *config) {
		if n < 1 || n > 5 {
			c.invalid("Replicas(%d): must be between 1 and 5", n)
		}
		c.replicas = n
	}
}

// workerID names a worker; set by Main.
func workerID(id string) Option { return func(c *config) { c.id = id } }

// noReconnect makes a worker exit as soon as it loses its server, which for
// a worker of Start means the driver is gone; set by Main.
// noInline makes a worker send every chunk of its tasks' nested calls
// through the queue, for tests of slot lending.
func noInline() Option { return func(c *config) { c.noInline = true } }

func noReconnect() Option { return func(c *config) { c.noReconnect = true } }

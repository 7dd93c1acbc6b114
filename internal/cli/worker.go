package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/progress"
)

// errExecWorker is wrapped by the error of worker --exec when the program
// exits with a status other than 0.
var errExecWorker = errors.New("the --exec program failed")

// workerOptions are the flags of worker.
type workerOptions struct {
	conn     connFlags
	slots    int // 0: GOMAXPROCS
	replicas int // 0: the cluster package's default
	exec     string
}

func newWorkerCommand() *cobra.Command {
	var o workerOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Join a cluster as one more worker",
		Long: `worker joins the cluster at --connect and runs its tasks in this process,
--slots at once, until Ctrl-C: it then stops taking tasks, hands the running
ones back to the cluster's queue (other workers run them) and exits.

It runs only the functions registered in this program (the shoal command's
own, such as the demo's). To serve your own functions, --exec runs your
program as the worker instead (its main must call cluster.Main first): its
output comes here, Ctrl-C or SIGTERM reaches it, and worker exits when it
does. Such a worker reconnects if its connection drops, and when stopped
lets its running tasks finish for a grace period (10 seconds) before it
hands them back; a second Ctrl-C kills it.

It authenticates with --token-file (by default the file "shoal up" writes)
or --creds, and uses TLS for a tls:// URL or a server that requires it. The
progress bars of the tasks' own maps are not shown; SHOAL_WORKER_PROGRESS=1
in the environment shows them on standard error.`,
		Example: `  shoal worker --connect nats://10.0.0.5:4222 --token-file ./cluster.token
  shoal worker --connect nats://10.0.0.5:4222 --token-file ./cluster.token --exec ./myapp
  shoal worker --connect tls://nats.example.com:4222 --creds /etc/shoal/worker.creds --tls-ca /etc/shoal/ca.pem --replicas 3`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.conn.validate(cmd); err != nil {
				return err
			}
			if err := validSlots(cmd, o.slots); err != nil {
				return err
			}
			if cmd.Flags().Changed("replicas") && (o.replicas < 1 || o.replicas > 5) {
				return usagef(cmd, "invalid argument \"%d\" for \"--replicas\" flag: must be between 1 and 5", o.replicas)
			}
			if o.exec != "" {
				return runExecWorker(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
			}
			return runWorker(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	o.conn.add(cmd)
	f := cmd.Flags()
	f.IntVar(&o.slots, "slots", 0, "how many tasks to run at once (default: GOMAXPROCS)")
	f.IntVar(&o.replicas, "replicas", 0, "copies of the queue, status and object store, if this worker is the first to join a NATS cluster and creates them (3 in production; default 1)")
	f.StringVar(&o.exec, "exec", "", "run this program as the worker instead: a program built with shoal whose main calls cluster.Main first")
	return cmd
}

// serveOptions returns the cluster options of the flags other than the
// credentials, and the slots to announce.
func (o *workerOptions) serveOptions() (opts []cluster.Option, slots int) {
	slots = o.slots
	if slots == 0 {
		slots = runtime.GOMAXPROCS(0)
	} else {
		opts = append(opts, cluster.Slots(slots))
	}
	if o.replicas > 0 {
		opts = append(opts, cluster.Replicas(o.replicas))
	}
	return opts, slots
}

// runWorker serves the cluster's tasks until ctx is done. Ctrl-C is how a
// worker ends, so it returns nil then.
func runWorker(ctx context.Context, w io.Writer, o workerOptions) error {
	opts, creds, err := o.conn.options()
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	more, slots := o.serveOptions()
	opts = append(opts, more...)
	if ctx.Err() != nil {
		return interrupted(ctx, "worker")
	}
	// This process is a worker: like cluster.Main, keep the bars of the
	// tasks' own maps off the terminal.
	if os.Getenv("SHOAL_WORKER_PROGRESS") != "1" {
		progress.Configure(progress.Config{Output: io.Discard})
	}
	fmt.Fprintf(w, "shoal worker: joining %s with %s, %d slots; Ctrl-C stops it\n", o.conn.url, creds, slots)
	if err := cluster.Serve(ctx, o.conn.url, opts...); err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "worker")
		}
		return joinError("worker", creds, err)
	}
	fmt.Fprintln(w, "shoal worker: stopped")
	return nil
}

// execOptions returns the cluster options of the flags for a worker
// process, whose TLS certificates go by their files, and describes the
// credentials.
func (o *workerOptions) execOptions() (opts []cluster.Option, creds string, err error) {
	plain := o.conn
	plain.tlsCA, plain.tlsCert, plain.tlsKey = "", "", ""
	if opts, creds, err = plain.options(); err != nil {
		return nil, "", err
	}
	if o.conn.tlsCA != "" || o.conn.tlsCert != "" {
		if _, err := o.conn.tlsConfig(); err != nil { // the files load: fail here, not in the worker
			return nil, "", err
		}
		opts = append(opts, cluster.TLSFiles(o.conn.tlsCA, o.conn.tlsCert, o.conn.tlsKey))
	}
	more, _ := o.serveOptions()
	return append(opts, more...), creds, nil
}

// runExecWorker runs o.exec as a worker of the cluster (see
// cluster.WorkerCommand), its standard output and error going to stdout and
// stderr, until it exits. The end of ctx (Ctrl-C or SIGTERM) or the first
// of those signals sends it SIGTERM: it stops taking tasks, lets the
// running ones finish for its grace period and exits. A second signal
// kills it. It returns nil when the program exits with status 0, an
// interruptedError when it had to be killed, and an error wrapping
// errExecWorker for any other exit.
func runExecWorker(ctx context.Context, stdout, stderr io.Writer, o workerOptions) error {
	opts, creds, err := o.execOptions()
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	wc, err := cluster.WorkerCommand(o.exec, o.conn.url, opts...)
	if err != nil {
		return fmt.Errorf("worker: --exec: %w", err)
	}
	wc.Stdout, wc.Stderr = stdout, stderr
	if ctx.Err() != nil {
		return interrupted(ctx, "worker")
	}
	// Signals that come after the one that ends ctx (the process's
	// handler then lets them kill this process) are this function's:
	// the worker process must not outlive it.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	_, slots := o.serveOptions()
	fmt.Fprintf(stdout, "shoal worker: running %s as a worker of %s with %s, %d slots; Ctrl-C stops it\n", o.exec, o.conn.url, creds, slots)
	if err := wc.Start(); err != nil {
		return fmt.Errorf("worker: --exec: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- wc.Wait() }()

	stopping, killed := false, false
	stop := func() {
		if !stopping {
			stopping = true
			if wc.Process.Signal(syscall.SIGTERM) != nil { // no SIGTERM on Windows
				killed = true
				_ = wc.Process.Kill()
			}
		}
	}
	done, signals := ctx.Done(), 0
	for {
		select {
		case err := <-exited:
			switch {
			case killed && ctx.Err() != nil:
				return interrupted(ctx, "worker")
			case err != nil:
				return fmt.Errorf("worker: %w: %s: %w", errExecWorker, o.exec, err)
			}
			fmt.Fprintln(stdout, "shoal worker: stopped")
			return nil
		case <-done:
			done = nil
			stop()
		case <-sigs:
			// One Ctrl-C both ends ctx and arrives here: the second kills.
			if signals++; signals == 1 {
				stop()
			} else if !killed {
				killed = true
				_ = wc.Process.Kill()
			}
		}
	}
}

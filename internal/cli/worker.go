package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal/cluster"
)

// errExecWorker is the error of worker --exec: the cluster package does not
// yet export a way to start another binary as a worker of a cluster it did
// not start (cluster.Start passes the connection to its own workers through
// unexported environment variables).
var errExecWorker = errors.New(`--exec is not supported yet: the cluster package has no exported way to start another program as a worker of an existing cluster; until it has, run that program itself with cluster.Serve in its main, or "shoal up --exec" for a new cluster`)

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
own, such as the demo's). Workers for your own functions are your program,
calling cluster.Serve (or run by "shoal up --exec").

It authenticates with --token-file (by default the file "shoal up" writes)
or --creds, and uses TLS for a tls:// URL or a server that requires it.`,
		Example: `  shoal worker --connect nats://10.0.0.5:4222 --token-file ./cluster.token
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
				return fmt.Errorf("worker: %w", errExecWorker)
			}
			return runWorker(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	o.conn.add(cmd)
	f := cmd.Flags()
	f.IntVar(&o.slots, "slots", 0, "how many tasks to run at once (default: GOMAXPROCS)")
	f.IntVar(&o.replicas, "replicas", 0, "copies of the queue, status and object store, if this worker is the first to join a NATS cluster and creates them (3 in production; default 1)")
	f.StringVar(&o.exec, "exec", "", "run this program as the worker instead (not supported yet)")
	return cmd
}

// runWorker serves the cluster's tasks until ctx is done. Ctrl-C is how a
// worker ends, so it returns nil then.
func runWorker(ctx context.Context, w io.Writer, o workerOptions) error {
	opts, creds, err := o.conn.options()
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	slots := o.slots
	if slots == 0 {
		slots = runtime.GOMAXPROCS(0)
	} else {
		opts = append(opts, cluster.Slots(slots))
	}
	if o.replicas > 0 {
		opts = append(opts, cluster.Replicas(o.replicas))
	}
	if ctx.Err() != nil {
		return interrupted(ctx, "worker")
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

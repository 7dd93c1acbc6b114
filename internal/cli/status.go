package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal/cluster"
)

func newStatusCommand() *cobra.Command {
	var conn connFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a cluster's workers and queue",
		Long: `status connects to the cluster at --connect and prints its live workers
(id, host, pid, slots, tasks running, items done and failed since the
worker started, and how long ago it started) and its queue: the tasks
waiting for a worker and those running. A worker that stops heartbeating
drops out within seconds.

It authenticates like "shoal worker": --token-file (by default the file
"shoal up" writes) or --creds, and TLS flags for a server with TLS.`,
		Example: `  shoal status --connect nats://127.0.0.1:4222
  shoal status --connect tls://nats.example.com:4222 --creds ~/.shoal/driver.creds`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := conn.validate(cmd); err != nil {
				return err
			}
			return runStatus(cmd.Context(), cmd.OutOrStdout(), conn)
		},
	}
	conn.add(cmd)
	return cmd
}

// runStatus prints the status of the cluster conn names to w.
func runStatus(ctx context.Context, w io.Writer, conn connFlags) error {
	opts, creds, err := conn.options()
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	if ctx.Err() != nil {
		return interrupted(ctx, "status")
	}
	cl, err := cluster.Connect(ctx, conn.url, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "status")
		}
		return joinError("status", creds, err)
	}
	defer cl.Close()
	st, err := cl.Status(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "status")
		}
		return fmt.Errorf("status: %w", err)
	}
	printStatus(w, conn.url, st, time.Now())
	return nil
}

// printStatus prints st, the status of the cluster at url, as of now.
func printStatus(w io.Writer, url string, st cluster.Status, now time.Time) {
	fmt.Fprintf(w, "%s: %s, %s; queue: %d waiting, %d running\n",
		url, workers(len(st.Workers)), plural(st.Slots(), "slot"), st.Queued, st.Running)
	if len(st.Workers) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHOST\tPID\tSLOTS\tRUNNING\tDONE\tFAILED\tAGE")
	for _, s := range st.Workers {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n",
			s.ID, s.Host, s.PID, s.Slots, s.Running, s.Done, s.Failed, age(now.Sub(s.Started)))
	}
	tw.Flush()
}

// age formats d to the second, or the minute beyond an hour: "12s",
// "3m5s", "26h4m".
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String() // "26h4m0s"
	return s[:len(s)-2]
}

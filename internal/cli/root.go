// Package cli is the shoal command: its command tree, flags and output.
// cmd/shoal only calls Execute; tests build the tree with NewCommand and
// run it with their own arguments, output and context.
//
// # Cancellation
//
// Every command runs under the context given to cobra's ExecuteContext;
// Execute makes it from signal.NotifyContext, so Ctrl-C (or SIGTERM)
// cancels the running work, the command returns an error saying so, and
// the program exits with status 130. A second Ctrl-C kills the program at
// once. For up and worker, which run until stopped, Ctrl-C is the normal
// end: they shut down cleanly and exit with status 0.
//
// # Clusters
//
// up, worker, status and demo --cluster use the cluster package. The
// workers that up and demo --cluster start are this program itself, re-run:
// its main (and the TestMain of tests that start clusters) must call
// cluster.Main first thing. The token of a cluster that up starts is
// written to a file readable by its user only and never printed unless
// asked; worker and status read it from there.
//
// # Output
//
// Commands write their results to the command's output (standard output)
// and progress bars to its error output (standard error), so the results
// can be piped or saved while the bars stay on the terminal. The progress
// renderer is process-wide: run one command at a time in a process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// NewCommand returns the root command, shoal, with its subcommands. It
// prints nothing on error: the caller reports the error that ExecuteContext
// returns, as Execute does.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "shoal",
		Short: "Parallel and distributed computing for Go",
		Long: `shoal turns loops into parallel maps, nests parallel work inside parallel
work and shows progress, on the cores of one machine or across a cluster.`,
		SilenceErrors: true, // Execute prints them, once
		SilenceUsage:  true, // Execute points to --help instead
		// SuggestionsFor reads it as is; only cobra's own lookup defaults it.
		SuggestionsMinimumDistance: 2,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				return usagef(cmd, "unknown command %q for %q; did you mean %q?", args[0], cmd.CommandPath(), s[0])
			}
			return usagef(cmd, "unknown command %q for %q", args[0], cmd.CommandPath())
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{cmd: cmd, err: err} })
	root.AddCommand(newDemoCommand(), newUpCommand(), newWorkerCommand(), newStatusCommand(), newBenchCommand())
	return root
}

// Execute runs the shoal command with the program's arguments, standard
// output and standard error, under a context cancelled by SIGINT or
// SIGTERM. It prints any error to standard error and returns the exit
// status: 0 on success, 130 if the command was interrupted, the program's
// own status when the program of worker --exec failed, 1 on any other
// error.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, restore the default behaviour so that a
	// second Ctrl-C kills a program that is slow to stop.
	context.AfterFunc(ctx, stop)
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// run is Execute with its context, arguments and output given.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := NewCommand()
	if args == nil {
		args = []string{} // cobra reads os.Args on nil
	}
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "shoal: %v\n", err)
	var i *interruptedError
	if errors.As(err, &i) {
		return 130
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", u.cmd.CommandPath())
	}
	// worker --exec exits with its program's status.
	var x *exec.ExitError
	if errors.Is(err, errExecWorker) && errors.As(err, &x) && x.ExitCode() > 0 {
		return x.ExitCode()
	}
	return 1
}

// interruptedError is the error of a command whose context ended before it
// finished. It unwraps to the context's error.
type interruptedError struct {
	what  string // "demo"
	cause error  // why the context ended: context.Cause
	err   error  // the context's error
}

// interrupted returns the error of the command what, stopped by ctx.
func interrupted(ctx context.Context, what string) error {
	return &interruptedError{what: what, cause: context.Cause(ctx), err: ctx.Err()}
}

// Error says why the command stopped: "demo interrupted: interrupt signal
// received" for Execute's context, or "demo interrupted: context canceled".
func (e *interruptedError) Error() string { return fmt.Sprintf("%s interrupted: %v", e.what, e.cause) }

func (e *interruptedError) Unwrap() error { return e.err }

// usageError is a mistake in the command line of cmd, as opposed to the
// failure of a well-formed command.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError for cmd.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	return usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal/cluster"
)

// maxProcs bounds --workers of up and --cluster of demo: each is a process.
const maxProcs = 1024

// upOptions are the flags of up.
type upOptions struct {
	workers    int
	slots      int // 0: each worker's GOMAXPROCS
	listen     string
	exec       string // "": this program
	tokenFile  string // "": defaultTokenFile
	printToken bool
}

func newUpCommand() *cobra.Command {
	o := upOptions{workers: 2, listen: "127.0.0.1:0"}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run a cluster on this machine: a NATS server and worker processes",
		Long: `up runs a shoal cluster in the foreground: an embedded NATS server with
JetStream and --workers worker processes, which are this program itself
unless --exec names another program built with shoal (whose main must call
cluster.Main first). It prints the cluster's URL and the file holding its
token, and runs until Ctrl-C, then stops the workers and the server.

Every client must present the token, generated anew each time. up writes it
to --token-file, readable by you only (mode 0600), and never prints it
unless --print-token says so; "shoal worker" and "shoal status" read the
same file by default. The server listens on loopback unless --listen says
otherwise; beyond loopback, traffic is not encrypted (no TLS), so up warns:
for a cluster that spans machines, see deploy/README.md.`,
		Example: `  shoal up --workers 4
  shoal up --workers 2 --slots 8 --listen 0.0.0.0:4222 --token-file ./cluster.token`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(cmd); err != nil {
				return err
			}
			return runUp(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.workers, "workers", "w", o.workers, "how many worker processes to run")
	f.IntVar(&o.slots, "slots", 0, "how many tasks each worker runs at once (default: its GOMAXPROCS)")
	f.StringVar(&o.listen, "listen", o.listen, `the server's client address, host:port; port 0 picks a free one; beyond loopback ("0.0.0.0:4222") other machines can join`)
	f.StringVar(&o.exec, "exec", "", "the program the workers run (default: this one)")
	f.StringVar(&o.tokenFile, "token-file", "", "where to write the token (default: shoal/token in your configuration directory)")
	f.BoolVar(&o.printToken, "print-token", false, "print the token itself too")
	return cmd
}

func (o *upOptions) validate(cmd *cobra.Command) error {
	if o.workers < 1 || o.workers > maxProcs {
		return usagef(cmd, "invalid argument \"%d\" for \"-w, --workers\" flag: must be between 1 and %d", o.workers, maxProcs)
	}
	if err := validSlots(cmd, o.slots); err != nil {
		return err
	}
	if err := validListen(o.listen); err != nil {
		return usagef(cmd, "invalid argument %q for \"--listen\" flag: %v", o.listen, err)
	}
	return nil
}

// validSlots checks --slots, if it was given.
func validSlots(cmd *cobra.Command, slots int) error {
	if cmd.Flags().Changed("slots") && (slots < 1 || slots > maxWorkers) {
		return usagef(cmd, "invalid argument \"%d\" for \"--slots\" flag: must be between 1 and %d", slots, maxWorkers)
	}
	return nil
}

// validListen checks a host:port address with a numeric port.
func validListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, such as 127.0.0.1:4222 or 0.0.0.0:0")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	return nil
}

// runUp starts the cluster, says how to reach it on w, waits for ctx to be
// done and stops the cluster. Worker output and the cluster's warnings go to
// errw. Ctrl-C is how up ends, so it returns nil then, unless it came
// before the cluster was up.
func runUp(ctx context.Context, w, errw io.Writer, o upOptions) error {
	tokenFile := o.tokenFile
	if tokenFile == "" {
		var err error
		if tokenFile, err = defaultTokenFile(); err != nil {
			return fmt.Errorf("up: %w", err)
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, "up")
	}
	opts := []cluster.Option{cluster.Workers(o.workers), cluster.Listen(o.listen), cluster.Output(errw)}
	if o.slots > 0 {
		opts = append(opts, cluster.Slots(o.slots))
	}
	if o.exec != "" {
		opts = append(opts, cluster.Binary(o.exec))
	}
	start := time.Now()
	c, err := cluster.Start(ctx, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "up")
		}
		return fmt.Errorf("up: %w", err)
	}
	token := c.Token()
	if err := writeToken(tokenFile, token); err != nil {
		c.Close()
		return fmt.Errorf("up: %w", err)
	}
	st, err := c.Status(ctx)
	if err != nil && ctx.Err() == nil {
		_ = removeToken(tokenFile, token) // best effort: the error below is the one to report
		c.Close()
		return fmt.Errorf("up: %w", err)
	}
	printUp(w, c.URL(), tokenFile, o, st, time.Since(start))
	if o.printToken {
		fmt.Fprintf(w, "  token:   %s\n", token)
	}
	fmt.Fprintln(w, "Ctrl-C stops the cluster.")

	<-ctx.Done()
	fmt.Fprintln(w, "stopping the workers and the server")
	rmErr := removeToken(tokenFile, token)
	if err := c.Close(); err != nil {
		return fmt.Errorf("up: stopping: %w", err)
	}
	if rmErr != nil {
		return fmt.Errorf("up: removing the token file: %w", rmErr)
	}
	fmt.Fprintln(w, "stopped")
	return nil
}

// printUp prints what a user needs to reach the cluster at url.
func printUp(w io.Writer, url, tokenFile string, o upOptions, st cluster.Status, took time.Duration) {
	fmt.Fprintf(w, "shoal cluster up in %s: a NATS server and %s, %s in all\n", seconds(took), processes(len(st.Workers)), plural(st.Slots(), "slot"))
	fmt.Fprintf(w, "  url:     %s\n", url)
	for _, u := range reachableURLs(url) {
		fmt.Fprintf(w, "           %s\n", u)
	}
	fmt.Fprintf(w, "  token:   in %s (mode 0600)\n", tokenFile)
	var ws []string
	for _, s := range st.Workers {
		ws = append(ws, fmt.Sprintf("%s (pid %d, %s)", s.ID, s.PID, plural(s.Slots, "slot")))
	}
	fmt.Fprintf(w, "  workers: %s\n", strings.Join(ws, ", "))
	flags := "--connect " + url + " --token-file " + tokenFile
	fmt.Fprintf(w, "Join a worker: shoal worker %s\n", flags)
	fmt.Fprintf(w, "Status:        shoal status %s\n", flags)
	fmt.Fprintf(w, "From Go:       cluster.Connect(ctx, %q, cluster.Token(token))\n", url)
}

// processes formats "1 worker process", "2 worker processes".
func processes(n int) string {
	if n == 1 {
		return "1 worker process"
	}
	return strconv.Itoa(n) + " worker processes"
}

// reachableURLs returns, for a server listening on every interface
// (0.0.0.0 or ::), its URL on each of this machine's non-loopback
// addresses, at most four: the URL itself names no reachable host.
func reachableURLs(u string) []string {
	p, err := url.Parse(u)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(p.Hostname())
	if ip == nil || !ip.IsUnspecified() {
		return nil
	}
	v4only := ip.To4() != nil // 0.0.0.0; :: listens on both
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var urls []string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() || v4only && n.IP.To4() == nil {
			continue
		}
		urls = append(urls, p.Scheme+"://"+net.JoinHostPort(n.IP.String(), p.Port()))
		if len(urls) == 4 {
			break
		}
	}
	return urls
}

// noArgs is the Args of commands that take none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "%q takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

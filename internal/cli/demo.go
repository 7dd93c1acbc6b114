package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/traders"
	"github.com/shoal-go/shoal/progress"
)

// maxWorkers bounds --workers: a pool's slots are allocated up front.
const maxWorkers = 1 << 16

// demoSizes are the workloads --size selects. At about a millisecond per
// trader, default takes about 4 s sequentially.
var demoSizes = []struct {
	name string
	cfg  traders.Config
}{
	{"small", traders.Config{Assets: 4, Traders: 25, Trades: 50}},
	{"default", traders.Config{Assets: 20, Traders: 200, Trades: 50}},
	{"large", traders.Config{Assets: 50, Traders: 400, Trades: 50}},
}

// sizeFlag is the value of --size: the name of one of demoSizes.
type sizeFlag string

func (s *sizeFlag) String() string { return string(*s) }

// Type names the value in the usage text.
func (s *sizeFlag) Type() string { return "size" }

// Set accepts the name of one of demoSizes.
func (s *sizeFlag) Set(v string) error {
	if _, ok := s.lookup(v); !ok {
		return fmt.Errorf("must be %s", sizeNames())
	}
	*s = sizeFlag(v)
	return nil
}

func (s *sizeFlag) lookup(name string) (traders.Config, bool) {
	for _, z := range demoSizes {
		if z.name == name {
			return z.cfg, true
		}
	}
	return traders.Config{}, false
}

// sizeNames returns "small, default or large".
func sizeNames() string {
	names := make([]string, len(demoSizes))
	for i, z := range demoSizes {
		names[i] = z.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// demoOptions are the demo's flags.
type demoOptions struct {
	workers int
	size    sizeFlag
	seed    uint64
	cluster int    // worker processes of --cluster; 0: no cluster run
	data    string // stocks: a directory of .jsonl files to use
	out     string // stocks: where to keep the Parquet files and the plot
}

func newDemoCommand() *cobra.Command {
	o := demoOptions{workers: runtime.GOMAXPROCS(0), size: "default", seed: 1}
	cmd := &cobra.Command{
		Use:   "demo [WORKLOAD]",
		Short: "Run the seed questions' workloads, sequentially and in parallel",
		Long: `demo runs the workloads of shoal's seed questions, each twice: with plain
loops and with shoal.Map on a pool of --workers, then prints the answer,
both times and the speedup, and checks that both answers agree. With
--cluster N it runs the same maps a third time, on a cluster of N worker
processes on this machine (this program, re-run, with the pool's --workers
slots split among them), and compares that too. Ctrl-C stops it.

The workloads:
  sleepfarm  (seed 002) tasks that sleep and report who ran them, on a pool
             of 4 workers as the seed asks
  powers     (seed 001) the mean of x^p over pseudo-random normal values
  traders    (seed 000) the smart traders of a generated market: a Map over
             the assets nesting a Map over each asset's traders
  stocks     (seed 003) daily prices as JSON lines, converted to Parquet, the
             most correlated pair of stocks; --data DIR uses a directory of
             your own .jsonl files, --out DIR keeps the Parquet files and a
             plot of the pair
  shared     (seed 004) 16 statistics of one big dataset put once (shoal.Put),
             5 at a time

With no WORKLOAD, demo runs all five, one after the other, and prints a
summary table. With one, it prints that workload's answer in full.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef(cmd, "%q takes at most one workload, got %q", cmd.CommandPath(), args)
			}
			if len(args) == 1 {
				if _, ok := lookupWorkload(args[0]); !ok {
					return usagef(cmd, "unknown workload %q for %q: want %s", args[0], cmd.CommandPath(), workloadNames())
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.workers < 1 || o.workers > maxWorkers {
				return usagef(cmd, "invalid argument \"%d\" for \"-w, --workers\" flag: must be between 1 and %d", o.workers, maxWorkers)
			}
			if cmd.Flags().Changed("cluster") {
				if o.cluster < 1 || o.cluster > maxProcs {
					return usagef(cmd, "invalid argument \"%d\" for \"--cluster\" flag: must be between 1 and %d", o.cluster, maxProcs)
				}
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			for _, f := range []string{"data", "out"} {
				if cmd.Flags().Changed(f) && name != "stocks" {
					return usagef(cmd, "--%s works only with the stocks workload: shoal demo stocks --%s DIR", f, f)
				}
			}
			if cmd.Flags().Changed("data") && o.data == "" {
				return usagef(cmd, "invalid argument \"\" for \"--data\" flag: want a directory")
			}
			progress.Configure(progress.Config{Output: cmd.ErrOrStderr()})
			switch name {
			case "":
				return runAllDemos(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
			case "traders":
				return runDemo(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
			}
			wl, _ := lookupWorkload(name)
			return runOneDemo(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), wl, o)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.workers, "workers", "w", o.workers, "how many tasks the parallel run runs at once, GOMAXPROCS by default")
	f.Var(&o.size, "size", "workload size: "+sizeNames())
	f.Lookup("size").DefValue = "" // "(default default)" says nothing
	f.Uint64Var(&o.seed, "seed", o.seed, "seed of the generated data")
	f.IntVar(&o.cluster, "cluster", 0, "also run on a cluster of this many worker processes")
	f.StringVar(&o.data, "data", "", "stocks: use this directory of .jsonl files instead of generating one")
	f.StringVar(&o.out, "out", "", "stocks: keep the Parquet files and the plot in this directory")
	return cmd
}

// runDemo is demo traders, in full: it generates the market, answers the question sequentially, in
// parallel and, with o.cluster, on a cluster, and prints the answer and the
// timings to w; the cluster's workers print on errw. Everything it prints
// is the same from run to run, except the times and the speedup.
func runDemo(ctx context.Context, w, errw io.Writer, o demoOptions) error {
	cfg, ok := o.size.lookup(string(o.size))
	if !ok {
		return fmt.Errorf("unknown size %q", o.size)
	}
	cfg.Seed = o.seed
	if ctx.Err() != nil {
		return interrupted(ctx, "demo")
	}
	d := traders.Generate(cfg)

	fmt.Fprintln(w, "shoal demo: which traders are smart? (seed question 000)")
	fmt.Fprintf(w, "  market: %d assets × %d traders × %d trades = %d transactions, seed %d\n",
		cfg.Assets, cfg.Traders, cfg.Trades, len(d.Trades), cfg.Seed)
	fmt.Fprintf(w, "  smart:  FIFO realised profit > 0, and trade timing better than %s of %d\n",
		percent(1-traders.Alpha), traders.Shuffles)
	fmt.Fprintln(w, "          random shuffles of the trader's buy and sell sides")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "sequential, plain loops over assets and traders:")
	start := time.Now()
	seq, err := traders.SequentialContext(ctx, d)
	seqTime := time.Since(start)
	if err != nil {
		return stopped(ctx, err)
	}

	fmt.Fprintf(w, "parallel, shoal.Map over assets nesting shoal.Map over traders, %s:\n", workers(o.workers))
	pool := shoal.NewPool(shoal.Workers(o.workers))
	defer pool.Close()
	start = time.Now()
	par, err := traders.Run(ctx, pool, d)
	parTime := time.Since(start)
	if err != nil {
		return stopped(ctx, err)
	}

	var cl *clusterRun
	if o.cluster > 0 {
		if cl, err = runOnCluster(ctx, w, errw, d, o); err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	printAnswer(w, d, par)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "              time  speedup")
	fmt.Fprintf(w, "sequential  %6s\n", seconds(seqTime))
	fmt.Fprintf(w, "parallel    %6s  %6.2f×  on %s\n", seconds(parTime), seqTime.Seconds()/parTime.Seconds(), workers(o.workers))
	if cl != nil {
		fmt.Fprintf(w, "cluster     %6s  %6.2f×  on %s × %s\n", seconds(cl.took), seqTime.Seconds()/cl.took.Seconds(), processes(o.cluster), plural(cl.slots, "slot"))
	}
	if !reflect.DeepEqual(seq, par) {
		fmt.Fprintln(w, "the sequential and parallel answers DISAGREE")
		return errors.New("demo: the sequential and parallel answers disagree")
	}
	if cl != nil {
		if !reflect.DeepEqual(seq, cl.res) {
			fmt.Fprintln(w, "the cluster's answer DISAGREES with the sequential and parallel ones")
			return errors.New("demo: the cluster's answer disagrees")
		}
		fmt.Fprintf(w, "the three answers agree: the same %d smart traders, per-asset counts and top %d\n", len(par.Smart), len(par.Top))
		return nil
	}
	fmt.Fprintf(w, "both answers agree: the same %d smart traders, per-asset counts and top %d\n", len(par.Smart), len(par.Top))
	return nil
}

// clusterRun is the outcome of the demo's run on a cluster.
type clusterRun struct {
	res   traders.Result
	took  time.Duration // the run, not the cluster's start
	slots int           // per worker process
}

// runOnCluster starts a cluster of o.cluster worker processes on this
// machine, with the pool's o.workers slots split among them, answers the
// question on it, and stops it. The workers are this program, re-run.
func runOnCluster(ctx context.Context, w, errw io.Writer, d traders.Data, o demoOptions) (_ *clusterRun, err error) {
	slots := max(1, (o.workers+o.cluster-1)/o.cluster)
	fmt.Fprintf(w, "cluster, the same maps on %s × %s, started ", processes(o.cluster), plural(slots, "slot"))
	start := time.Now()
	c, err := cluster.Start(ctx, cluster.Workers(o.cluster), cluster.Slots(slots), cluster.Output(errw))
	if err != nil {
		fmt.Fprintln(w)
		return nil, stopped(ctx, err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("demo: stopping the cluster: %w", cerr)
		}
	}()
	fmt.Fprintf(w, "in %s:\n", seconds(time.Since(start)))
	start = time.Now()
	res, err := traders.Run(ctx, c, d)
	took := time.Since(start)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	return &clusterRun{res: res, took: took, slots: slots}, nil
}

// stopped returns the demo's error for err, a failed run: an interruption
// if ctx is done, err itself otherwise.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return interrupted(ctx, "demo")
	}
	return fmt.Errorf("demo: %w", err)
}

// printAnswer prints the analysis: how many traders are smart, per asset,
// and the top ones.
func printAnswer(w io.Writer, d traders.Data, res traders.Result) {
	fmt.Fprintf(w, "smart traders: %d of %d (the generator gave %d an edge)\n", len(res.Smart), res.Traders, d.Informed)
	const perLine = 20
	for i := 0; i < len(res.PerAsset); i += perLine {
		label := "  per asset:"
		if i > 0 {
			label = ""
		}
		var b strings.Builder
		for _, a := range res.PerAsset[i:min(i+perLine, len(res.PerAsset))] {
			fmt.Fprintf(&b, "%3d", a.Smart)
		}
		fmt.Fprintf(w, "%-12s%s\n", label, b.String())
	}
	if len(res.Top) == 0 {
		return
	}
	fmt.Fprintf(w, "  top %d by realised profit:\n", len(res.Top))
	fmt.Fprintln(w, "     trader  asset       profit  p-value")
	for _, t := range res.Top {
		fmt.Fprintf(w, "    %7d  %5d  %11s  %7.4f\n", t.Trader, t.Asset, dollars(t.PnL), t.PValue)
	}
}

// workers formats "1 worker", "2 workers".
func workers(n int) string { return plural(n, "worker") }

// plural formats n of a noun whose plural takes an s: "1 slot", "2 slots".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// dollars formats cents as "$12,345.67".
func dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b.String(), cents%100)
}

// percent formats a fraction as "99.9%", to at most four decimals.
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100e4)/1e4, 'f', -1, 64) + "%"
}

// seconds formats d to a hundredth of a second: "3.91s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

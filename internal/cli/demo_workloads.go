package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/powers"
	"github.com/shoal-go/shoal/examples/shared"
	"github.com/shoal-go/shoal/examples/sleepfarm"
	"github.com/shoal-go/shoal/examples/stocks"
	"github.com/shoal-go/shoal/examples/traders"
)

// demoWorkload is one of the seed questions' workloads that demo runs.
type demoWorkload struct {
	name string
	seed string // the seed question's number: "002"
	// prepare makes the workload's input for o, if any, printing what it
	// did on w, and returns the runs to make. It fails only if ctx is done
	// or the input cannot be made.
	prepare func(ctx context.Context, w io.Writer, o demoOptions) (*demoJob, error)
}

// demoWorkloads are the workloads in the order demo runs them.
var demoWorkloads = []demoWorkload{
	{"sleepfarm", "002", prepareSleepfarm},
	{"powers", "001", preparePowers},
	{"traders", "000", prepareTraders},
	{"stocks", "003", prepareStocks},
	{"shared", "004", prepareShared},
}

// workloadNames returns "sleepfarm, powers, traders, stocks or shared".
func workloadNames() string {
	names := make([]string, len(demoWorkloads))
	for i, wl := range demoWorkloads {
		names[i] = wl.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// lookupWorkload returns the workload called name.
func lookupWorkload(name string) (demoWorkload, bool) {
	for _, wl := range demoWorkloads {
		if wl.name == name {
			return wl, true
		}
	}
	return demoWorkload{}, false
}

// demoJob is a prepared workload: what it computes, and how to compute it
// sequentially and on an executor. Its answers are the workload's Result
// types, as any.
type demoJob struct {
	about   string // what it computes, one line
	workers int    // the pool it runs on, if not --workers: sleepfarm's 4
	poolWhy string // why that pool: "as the seed asks"
	seqHow  string // how the sequential run works: "plain loops over ..."
	parHow  string // how the parallel run works: "shoal.Map over ..."
	seq     func(ctx context.Context) (any, error)
	par     func(ctx context.Context, ex shoal.Executor) (any, error)
	// agree reports whether a parallel answer equals the sequential one,
	// and says what it compared; nil compares the whole Results.
	agree func(seq, par any) bool
	same  string // what agreeing means: "the same means"
	line  func(res any) string
	short func(res any) string
	// detail prints the answer in full, for a demo of this one workload.
	detail  func(w io.Writer, res any)
	cleanup func()
}

func prepareSleepfarm(_ context.Context, _ io.Writer, o demoOptions) (*demoJob, error) {
	cfg, err := sleepfarm.ConfigFor(string(o.size))
	if err != nil {
		return nil, err
	}
	return &demoJob{
		about:   fmt.Sprintf("%d tasks that each sleep %v and report who ran them (host, pid, worker slot)", cfg.Tasks, cfg.Sleep),
		workers: sleepfarm.Slots,
		poolWhy: "as the seed asks",
		seqHow:  "one task after another",
		parHow:  "shoal.Map of the tasks",
		seq:     func(ctx context.Context) (any, error) { return sleepfarm.Sequential(ctx, cfg) },
		par: func(ctx context.Context, ex shoal.Executor) (any, error) {
			return sleepfarm.Run(ctx, ex, cfg)
		},
		// Who ran the tasks differs by design: what must agree is that
		// every task ran once, in order, and slept its full time.
		agree: func(seq, par any) bool {
			return sleepTasks(seq.(sleepfarm.Result)) == sleepTasks(par.(sleepfarm.Result))
		},
		same: fmt.Sprintf("each of the %d tasks ran once and slept %v; only who ran them differs", cfg.Tasks, cfg.Sleep),
		line: func(res any) string { return res.(sleepfarm.Result).String() },
		short: func(res any) string {
			r := res.(sleepfarm.Result)
			return fmt.Sprintf("%d tasks on %s", len(r.Tasks), workers(len(r.Workers)))
		},
		detail: func(w io.Writer, res any) {
			r := res.(sleepfarm.Result)
			fmt.Fprintln(w, r.String())
			fmt.Fprintln(w, "  task  ran on")
			for _, t := range r.Tasks {
				fmt.Fprintf(w, "  %4d  %s\n", t.Task, t.Worker)
			}
		},
	}, nil
}

// sleepTasks summarises what must agree between runs of the farm: the
// tasks, in order, and whether each slept its full time.
func sleepTasks(r sleepfarm.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d×%v:", r.Config.Tasks, r.Config.Sleep)
	for _, t := range r.Tasks {
		fmt.Fprintf(&b, " %d:%t", t.Task, t.Slept >= r.Config.Sleep)
	}
	return b.String()
}

func preparePowers(_ context.Context, _ io.Writer, o demoOptions) (*demoJob, error) {
	cfg, err := powers.ConfigFor(string(o.size))
	if err != nil {
		return nil, err
	}
	cfg.Seed = o.seed
	ps := make([]string, len(cfg.Powers))
	for i, p := range cfg.Powers {
		ps[i] = fmt.Sprint(p)
	}
	return &demoJob{
		about:  fmt.Sprintf("the mean of x^p for p = %s over %d pseudo-random normal values, seed %d", strings.Join(ps, ", "), cfg.N, cfg.Seed),
		seqHow: "a plain loop over chunks of values",
		parHow: "shoal.Map over the chunks",
		seq:    func(ctx context.Context) (any, error) { return powers.Sequential(ctx, cfg) },
		par: func(ctx context.Context, ex shoal.Executor) (any, error) {
			return powers.Run(ctx, ex, cfg)
		},
		same: "the same means, to the last bit",
		line: func(res any) string { return res.(powers.Result).String() },
		short: func(res any) string {
			r := res.(powers.Result)
			var b strings.Builder
			for i, m := range r.Moments {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "x^%d %.3g", m.Power, m.Mean)
			}
			return b.String()
		},
		detail: func(w io.Writer, res any) {
			r := res.(powers.Result)
			fmt.Fprintf(w, "means over %d values:\n", r.N)
			fmt.Fprintln(w, "      p          mean      theory")
			for _, m := range r.Moments {
				fmt.Fprintf(w, "  %5d  %12.6g  %10g\n", m.Power, m.Mean, m.Theory)
			}
		},
	}, nil
}

func prepareTraders(ctx context.Context, _ io.Writer, o demoOptions) (*demoJob, error) {
	cfg, _ := o.size.lookup(string(o.size))
	cfg.Seed = o.seed
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := traders.Generate(cfg)
	return &demoJob{
		about: fmt.Sprintf("the smart traders of %d assets × %d traders × %d trades = %d transactions, seed %d",
			cfg.Assets, cfg.Traders, cfg.Trades, len(d.Trades), cfg.Seed),
		seqHow: "plain loops over assets and traders",
		parHow: "shoal.Map over assets nesting shoal.Map over traders",
		seq:    func(ctx context.Context) (any, error) { return traders.SequentialContext(ctx, d) },
		par: func(ctx context.Context, ex shoal.Executor) (any, error) {
			return traders.Run(ctx, ex, d)
		},
		same: "the same smart traders, per-asset counts and top traders",
		line: func(res any) string {
			r := res.(traders.Result)
			s := fmt.Sprintf("%d smart traders of %d", len(r.Smart), r.Traders)
			if len(r.Top) > 0 {
				t := r.Top[0]
				s += fmt.Sprintf("; the top one, trader %d on asset %d, realised %s", t.Trader, t.Asset, dollars(t.PnL))
			}
			return s
		},
		short: func(res any) string {
			r := res.(traders.Result)
			return fmt.Sprintf("%d smart of %d traders", len(r.Smart), r.Traders)
		},
		detail: func(w io.Writer, res any) { printAnswer(w, d, res.(traders.Result)) },
	}, nil
}

func prepareStocks(ctx context.Context, w io.Writer, o demoOptions) (_ *demoJob, err error) {
	cfg, err := stocks.ConfigFor(string(o.size))
	if err != nil {
		return nil, err
	}
	cfg.Gen.Seed = o.seed
	cfg.Out = o.out
	var cleanup func()
	about := ""
	if o.data != "" {
		cfg.Data = o.data
		n, err := filepath.Glob(filepath.Join(o.data, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		about = fmt.Sprintf("the most correlated pair of the %s in %s", plural(len(n), ".jsonl file"), o.data)
	} else {
		// Generated once, outside the timings, for every run to read.
		dir, err := os.MkdirTemp("", "shoal-demo-stocks-")
		if err != nil {
			return nil, fmt.Errorf("stocks: %w", err)
		}
		cleanup = func() { os.RemoveAll(dir) }
		start := time.Now()
		if err := stocks.GenerateContext(ctx, dir, cfg.Gen); err != nil {
			cleanup()
			return nil, err
		}
		cfg.Data = dir
		about = fmt.Sprintf("the most correlated pair of %d generated stocks × %d days, seed %d (generated in %s, not timed)",
			cfg.Gen.Symbols, cfg.Gen.Days, cfg.Gen.Seed, seconds(time.Since(start)))
	}
	return &demoJob{
		about:  about,
		seqHow: "plain loops: convert each file to Parquet, correlate each pair",
		parHow: "shoal.Map over the files, then over blocks of pairs",
		seq:    func(ctx context.Context) (any, error) { return stocks.SequentialAll(ctx, cfg) },
		par: func(ctx context.Context, ex shoal.Executor) (any, error) {
			return stocks.RunAll(ctx, ex, cfg)
		},
		same: "the same pair and correlation",
		line: func(res any) string { return res.(stocks.Result).String() },
		short: func(res any) string {
			p := res.(stocks.Result).Pair
			return fmt.Sprintf("%s~%s r = %.4f", p.A, p.B, p.Corr)
		},
		detail: func(w io.Writer, res any) {
			r := res.(stocks.Result)
			fmt.Fprintln(w, r.String())
			if r.Plot != "" {
				fmt.Fprintf(w, "  Parquet files in %s, plot of the pair in %s\n", filepath.Join(cfg.Out, "parquet"), r.Plot)
			}
		},
		cleanup: cleanup,
	}, nil
}

func prepareShared(ctx context.Context, _ io.Writer, o demoOptions) (*demoJob, error) {
	cfg, err := shared.ConfigFor(string(o.size))
	if err != nil {
		return nil, err
	}
	cfg.Seed = o.seed
	start := time.Now()
	// Generated once, outside the timings, as a program would load it.
	d, err := shared.Generate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	gen := time.Since(start)
	stats := shared.Stats()
	return &demoJob{
		about: fmt.Sprintf("%d statistics of one dataset of %d float64 (%d MB, generated in %s, not timed), seed %d",
			len(stats), cfg.N, cfg.Bytes()>>20, seconds(gen), cfg.Seed),
		seqHow: "a plain loop over the statistics",
		parHow: fmt.Sprintf("shoal.Put once, shoal.Map over the statistics, %d at a time", shared.AtOnce),
		seq:    func(ctx context.Context) (any, error) { return shared.SequentialData(ctx, d, stats) },
		par: func(ctx context.Context, ex shoal.Executor) (any, error) {
			return shared.RunData(ctx, ex, d, stats)
		},
		same: "the same values",
		line: func(res any) string { return res.(shared.Result).String() },
		short: func(res any) string {
			r := res.(shared.Result)
			m, _ := r.Get(shared.Mean)
			sd, _ := r.Get(shared.Variance)
			return fmt.Sprintf("%d stats: mean %.3g, var %.3g", len(r.Values), m, sd)
		},
		detail: func(w io.Writer, res any) {
			r := res.(shared.Result)
			fmt.Fprintf(w, "%d statistics of %d values:\n", len(r.Values), r.N)
			for _, v := range r.Values {
				fmt.Fprintf(w, "  %-16s %14.6g\n", v.Stat, v.Value)
			}
		},
	}, nil
}

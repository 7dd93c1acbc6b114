// Command stocks runs the stocks workload (shoal's seed question 003): it
// converts daily stock data from JSON lines to Parquet, finds the most
// correlated pair of stocks and plots it, sequentially and then on a shoal
// pool, and prints the answer, both times and the speedup.
//
//	go run ./examples/stocks/cmd/stocks [--symbols N --days N --seed N | --size S | --data DIR] [--out DIR] [--workers N]
//
// Without --data it generates the data first (not timed with the stages):
// into DIR/jsonl with --out DIR, or else into a temporary directory. With
// --out DIR it keeps the Parquet files in DIR/parquet and draws the pair
// into DIR/stocks.png. Progress bars go to standard error. Ctrl-C stops
// it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
	"github.com/shoal-go/shoal/progress"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case interrupted:
		fmt.Fprintln(os.Stderr, "stocks: interrupted")
		os.Exit(130)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// errUsage marks a command line that does not parse; the flag package has
// printed why.
var errUsage = errors.New("usage")

// run is the command, with its arguments and outputs.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stocks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		size    = fs.String("size", "default", "dataset to generate: small, default (100 symbols × 2,500 days) or large")
		symbols = fs.Int("symbols", 0, "symbols to generate, instead of the size's")
		days    = fs.Int("days", 0, "trading days to generate, instead of the size's")
		seed    = fs.Uint64("seed", 1, "seed of the generated data")
		data    = fs.String("data", "", "use the .jsonl files of this directory instead of generating any")
		out     = fs.String("out", "", "keep the Parquet files and the plot in this directory")
		workers = fs.Int("workers", runtime.GOMAXPROCS(0), "how many tasks the parallel run runs at once")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: stocks [--symbols N --days N --seed N | --size S | --data DIR] [--out DIR] [--workers N]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	usage := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "stocks: "+format+"\n", a...)
		fs.Usage()
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *workers < 1:
		return usage("--workers %d: must be at least 1", *workers)
	case *data != "" && (set["size"] || set["symbols"] || set["days"] || set["seed"]):
		return usage("--data uses existing files: it goes with none of --size, --symbols, --days and --seed")
	}

	progress.Configure(progress.Config{Output: stderr})
	cfg := stocks.Config{Data: *data, Out: *out}
	fmt.Fprintln(stdout, "stocks: which two stocks move together most? (seed question 003)")
	if cfg.Data == "" {
		c, err := stocks.ConfigFor(*size)
		if err != nil {
			return usage("%v", err)
		}
		cfg.Gen = c.Gen
		cfg.Gen.Seed = *seed
		if *symbols != 0 {
			cfg.Gen.Symbols = *symbols
		}
		if *days != 0 {
			cfg.Gen.Days = *days
		}
		if err := cfg.Gen.Validate(); err != nil {
			return usage("%v", err)
		}
		dir, cleanup, err := dataDir(*out)
		if err != nil {
			return err
		}
		defer cleanup()
		start := time.Now()
		if err := stocks.GenerateContext(ctx, dir, cfg.Gen); err != nil {
			return err
		}
		cfg.Data = dir
		fmt.Fprintf(stdout, "  data:   %d symbols × %d trading days, seed %d, generated in %s into %s\n",
			cfg.Gen.Symbols, cfg.Gen.Days, cfg.Gen.Seed, seconds(time.Since(start)), dir)
		a, b := stocks.PlantedPair(cfg.Gen)
		fmt.Fprintf(stdout, "          planted: %s and %s share a private factor\n", a, b)
	} else {
		fmt.Fprintf(stdout, "  data:   the .jsonl files of %s\n", cfg.Data)
	}
	fmt.Fprintln(stdout, "  stages: 1. JSON lines → Parquet, 2. correlation of daily log returns, every pair")
	if *out != "" {
		fmt.Fprintln(stdout, "          3. a plot of the most correlated pair")
	}
	fmt.Fprintln(stdout)

	fmt.Fprintln(stdout, "sequential, plain loops:")
	start := time.Now()
	seq, err := stocks.SequentialAll(ctx, cfg)
	seqTime := time.Since(start)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "parallel, shoal.Map on a pool of %d workers:\n", *workers)
	pool := shoal.NewPool(shoal.Workers(*workers))
	defer pool.Close()
	start = time.Now()
	par, err := stocks.RunAll(ctx, pool, cfg)
	parTime := time.Since(start)
	if err != nil {
		return err
	}

	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, par)
	if par.Plot != "" {
		fmt.Fprintln(stdout, "plot:", par.Plot)
	} else {
		fmt.Fprintln(stdout, "(no plot: --out DIR keeps the Parquet files and draws one)")
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "              time  speedup")
	fmt.Fprintf(stdout, "sequential  %6s\n", seconds(seqTime))
	fmt.Fprintf(stdout, "parallel    %6s  %6.2f×  on %d workers\n", seconds(parTime), seqTime.Seconds()/parTime.Seconds(), *workers)
	if seq != par {
		fmt.Fprintln(stdout, "the sequential and parallel answers DISAGREE")
		return fmt.Errorf("stocks: the answers disagree: sequential %v, parallel %v", seq, par)
	}
	fmt.Fprintln(stdout, "both answers agree")
	return nil
}

// dataDir returns the directory to generate the data into: out/jsonl, or
// a temporary directory that cleanup removes. It refuses an out/jsonl that
// holds .jsonl files already, which the run would mix with the new ones.
func dataDir(out string) (dir string, cleanup func(), err error) {
	if out == "" {
		dir, err := os.MkdirTemp("", "stocks-data-")
		if err != nil {
			return "", nil, err
		}
		return dir, func() { os.RemoveAll(dir) }, nil
	}
	dir = filepath.Join(out, "jsonl")
	if old, _ := filepath.Glob(filepath.Join(dir, "*.jsonl")); len(old) > 0 {
		return "", nil, fmt.Errorf("stocks: %s holds .jsonl files already: use them with --data %s, or choose another --out", dir, dir)
	}
	return dir, func() {}, nil
}

// seconds formats d as seconds with two decimals, as "1.23s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

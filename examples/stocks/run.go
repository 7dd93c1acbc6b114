package stocks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shoal-go/shoal"
)

// Config is what RunAll and SequentialAll do.
type Config struct {
	// Gen sizes the dataset generated when Data is empty.
	Gen GenConfig
	// Data, if set, names a directory of existing .jsonl files to use
	// instead of generating any; Gen is then ignored.
	Data string
	// Out, if set, is the directory, created if needed, that keeps the
	// Parquet files (Out/parquet) and the plot (Out/stocks.png). If empty,
	// the Parquet files go to a temporary directory removed before
	// returning, and nothing is plotted.
	Out string
}

// Sizes for ConfigFor: symbols × trading days.
var sizes = []struct {
	name string
	gen  GenConfig
}{
	{"small", GenConfig{Symbols: 20, Days: 500, Seed: 1}},
	{"default", GenConfig{Symbols: 100, Days: 2500, Seed: 1}},
	{"large", GenConfig{Symbols: 300, Days: 5000, Seed: 1}},
}

// ConfigFor returns the Config of a named size: "small" (20 symbols × 500
// days), "default" (100 × 2,500, about ten years of trading days: 28 MB of
// JSON lines, 4,950 pairs) or "large" (300 × 5,000), each with seed 1. An
// unknown size is an error wrapping ErrInvalidConfig.
func ConfigFor(size string) (Config, error) {
	for _, s := range sizes {
		if s.name == size {
			return Config{Gen: s.gen}, nil
		}
	}
	return Config{}, fmt.Errorf("%w: unknown size %q: want small, default or large", ErrInvalidConfig, size)
}

func (c Config) validate() error {
	if c.Data == "" {
		return c.Gen.Validate()
	}
	st, err := os.Stat(c.Data)
	if err != nil {
		return fmt.Errorf("%w: data: %w", ErrInvalidConfig, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%w: data %s: not a directory", ErrInvalidConfig, c.Data)
	}
	return nil
}

// Result is the answer of RunAll and SequentialAll; they return equal
// Results for equal Configs.
type Result struct {
	Pair  Pair   // the most correlated pair
	Files int    // the symbols' files converted and correlated
	Pairs int    // the pairs compared: those with MinCommon returns on common dates
	Plot  string // the path of the plot, or "" if none was drawn
}

// String returns the answer in one line, such as
//
//	most correlated: DXQ and KMBT, r = 0.9731 (daily log returns on 2437 common days; 4950 pairs of 100 stocks)
func (r Result) String() string {
	return fmt.Sprintf("most correlated: %s and %s, r = %.4f (daily log returns on %d common days; %d pairs of %d stocks)",
		r.Pair.A, r.Pair.B, r.Pair.Corr, r.Pair.Days, r.Pairs, r.Files)
}

// RunAll runs the whole workload on ex: it generates the dataset cfg.Gen
// describes into a temporary directory (unless cfg.Data names one to use),
// converts it to Parquet (Convert), finds the most correlated pair
// (Correlate), and, if cfg.Out is set, plots it (Plot). To time the stages
// without the generation, Generate first and set cfg.Data.
//
// RunAll blocks until all of it is done, and removes the temporary
// directories it made. It returns the errors of the stages, and an error
// wrapping ErrInvalidConfig if cfg.Gen is invalid (with no cfg.Data) or
// cfg.Data is not a directory. If ctx is done first it returns ctx's error
// promptly. A nil ex panics.
func RunAll(ctx context.Context, ex shoal.Executor, cfg Config) (Result, error) {
	if ex == nil {
		panic("stocks: RunAll with nil executor")
	}
	return runAll(ctx, cfg,
		func(in, out string) ([]string, error) { return Convert(ctx, ex, in, out) },
		func(paths []string) (Pair, int, error) { return correlateFiles(ctx, ex, paths, nil) },
	)
}

// SequentialAll is RunAll with plain loops on the calling goroutine
// (ConvertSequential and CorrelateSequential): the program RunAll
// parallelises, and its reference answer.
func SequentialAll(ctx context.Context, cfg Config) (Result, error) {
	return runAll(ctx, cfg,
		func(in, out string) ([]string, error) { return ConvertSequential(ctx, in, out) },
		func(paths []string) (Pair, int, error) { return correlateFilesSequential(ctx, paths) },
	)
}

func runAll(ctx context.Context, cfg Config,
	convert func(in, out string) ([]string, error),
	correlate func(paths []string) (Pair, int, error),
) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var scratch string // for what is not kept
	if cfg.Data == "" || cfg.Out == "" {
		dir, err := os.MkdirTemp("", "stocks-")
		if err != nil {
			return Result{}, fmt.Errorf("stocks: %w", err)
		}
		defer os.RemoveAll(dir)
		scratch = dir
	}
	in := cfg.Data
	if in == "" {
		in = filepath.Join(scratch, "jsonl")
		if err := GenerateContext(ctx, in, cfg.Gen); err != nil {
			return Result{}, err
		}
	}
	pq := filepath.Join(scratch, "parquet")
	if cfg.Out != "" {
		pq = filepath.Join(cfg.Out, "parquet")
	}
	// Only the files converted now are correlated, whatever else Out holds.
	paths, err := convert(in, pq)
	if err != nil {
		return Result{}, err
	}
	pair, compared, err := correlate(paths)
	if err != nil {
		return Result{}, err
	}
	res := Result{Pair: pair, Files: len(paths), Pairs: compared}
	if cfg.Out != "" {
		res.Plot = filepath.Join(cfg.Out, "stocks.png")
		if err := Plot(pair, pq, res.Plot); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

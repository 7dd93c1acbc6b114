package stocks_test

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
)

func TestRunAllEqualsSequential(t *testing.T) {
	t.Parallel()
	cfg := stocks.Config{Gen: small}
	want, err := stocks.SequentialAll(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := stocks.PlantedPair(small)
	if want.Pair.A != a || want.Pair.B != b || want.Files != small.Symbols || want.Pairs != small.Symbols*(small.Symbols-1)/2 || want.Plot != "" {
		t.Errorf("SequentialAll = %+v, want the planted pair %s and %s, %d files, every pair compared, no plot", want, a, b, small.Symbols)
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := stocks.RunAll(t.Context(), pool, cfg)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): %v", workers, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Workers(%d): RunAll = %+v\nSequentialAll = %+v", workers, got, want)
		}
	}
}

// RunAll on an existing directory of .jsonl files, keeping its output.
func TestRunAllData(t *testing.T) {
	t.Parallel()
	data := generated(t, small)
	before := names(t, data)
	out := filepath.Join(t.TempDir(), "out")
	// A stale file in the output is not taken for one of the data's.
	stale := converted(t, generated(t, stocks.GenConfig{Symbols: 2, Days: 100, Seed: 99}))
	if err := os.MkdirAll(filepath.Join(out, "parquet"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names(t, stale) {
		if err := os.Rename(filepath.Join(stale, name), filepath.Join(out, "parquet", "OLD"+name)); err != nil {
			t.Fatal(err)
		}
	}

	res, err := stocks.RunAll(t.Context(), shoal.Default(), stocks.Config{Data: data, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := stocks.PlantedPair(small); res.Pair.A != a || res.Pair.B != b || res.Files != small.Symbols {
		t.Errorf("RunAll = %+v, want the planted pair %s and %s of %d files", res, a, b, small.Symbols)
	}
	if res.Plot != filepath.Join(out, "stocks.png") {
		t.Errorf("Plot = %q, want %s", res.Plot, filepath.Join(out, "stocks.png"))
	}
	f, err := os.Open(res.Plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.DecodeConfig(f); err != nil {
		t.Errorf("%s: %v", res.Plot, err)
	}
	if got := len(names(t, filepath.Join(out, "parquet"))); got != small.Symbols+2 {
		t.Errorf("%s holds %d files, want %d and the 2 stale ones", filepath.Join(out, "parquet"), got, small.Symbols)
	}
	if after := names(t, data); !slices.Equal(after, before) {
		t.Errorf("RunAll changed the data directory: %v, then %v", before, after)
	}
	seq, err := stocks.SequentialAll(t.Context(), stocks.Config{Data: data, Out: out})
	if err != nil || seq != res {
		t.Errorf("SequentialAll = %+v, %v; RunAll = %+v", seq, err, res)
	}
}

func TestRunAllInvalid(t *testing.T) {
	t.Parallel()
	file := writeLines(t, t.TempDir(), "A.jsonl", "{}")
	for _, cfg := range []stocks.Config{
		{},
		{Gen: stocks.GenConfig{Symbols: 1, Days: 1000}},
		{Data: filepath.Join(t.TempDir(), "nowhere")},
		{Data: file},
	} {
		if _, err := stocks.RunAll(t.Context(), shoal.Default(), cfg); !errors.Is(err, stocks.ErrInvalidConfig) {
			t.Errorf("RunAll(%+v): err = %v, want ErrInvalidConfig", cfg, err)
		}
		if _, err := stocks.SequentialAll(t.Context(), cfg); !errors.Is(err, stocks.ErrInvalidConfig) {
			t.Errorf("SequentialAll(%+v): err = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

func TestConfigFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size          string
		symbols, days int
	}{
		{"small", 20, 500},
		{"default", 100, 2500},
		{"large", 300, 5000},
	}
	for _, tt := range tests {
		cfg, err := stocks.ConfigFor(tt.size)
		if err != nil || cfg.Gen.Symbols != tt.symbols || cfg.Gen.Days != tt.days || cfg.Gen.Validate() != nil {
			t.Errorf("ConfigFor(%q) = %+v, %v; want %d symbols × %d days", tt.size, cfg, err, tt.symbols, tt.days)
		}
	}
	for _, size := range []string{"", "huge", "Small"} {
		if _, err := stocks.ConfigFor(size); !errors.Is(err, stocks.ErrInvalidConfig) {
			t.Errorf("ConfigFor(%q): err = %v, want ErrInvalidConfig", size, err)
		}
	}
}

func TestResultString(t *testing.T) {
	t.Parallel()
	r := stocks.Result{Pair: stocks.Pair{A: "ABC", B: "XYZ", Corr: 0.97312, Days: 2437}, Files: 100, Pairs: 4950}
	want := "most correlated: ABC and XYZ, r = 0.9731 (daily log returns on 2437 common days; 4950 pairs of 100 stocks)"
	if got := r.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Not parallel: it points TMPDIR at a directory of its own, to check that
// RunAll removes its temporary files.
func TestRunAllCancel(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, run := range []struct {
		name string
		f    func(context.Context, stocks.Config) (stocks.Result, error)
	}{
		{"RunAll", func(ctx context.Context, cfg stocks.Config) (stocks.Result, error) {
			return stocks.RunAll(ctx, shoal.Default(), cfg)
		}},
		{"SequentialAll", stocks.SequentialAll},
	} {
		// Far more than the test waits for.
		cfg := stocks.Config{Gen: stocks.GenConfig{Symbols: 200, Days: 5000, Seed: 1}}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := run.f(ctx, cfg)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		cancelled := time.Now()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s cancelled mid-run: err = %v, want context.Canceled", run.name, err)
			}
			if wait := time.Since(cancelled); wait > 2*time.Second { // far less than the work left; room for a loaded machine
				t.Errorf("%s returned %v after cancel, want promptly", run.name, wait)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not return within 20s of cancel", run.name)
		}
		if left := names(t, tmp); len(left) > 0 {
			t.Errorf("%s left %v in the temporary directory", run.name, left)
		}
	}
}

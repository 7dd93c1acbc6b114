package shared_test

import (
	"context"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/shared"
)

// small is big enough for the statistics to mean something, and small
// enough for -race.
var small = shared.Config{N: 300_000, Seed: 3}

func TestRunEqualsSequential(t *testing.T) {
	t.Parallel()
	want, err := shared.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	if want.N != small.N || len(want.Values) != 16 {
		t.Fatalf("Sequential: %d values of %d data, want 16 of %d", len(want.Values), want.N, small.N)
	}
	for i, s := range shared.Stats() {
		if want.Values[i].Stat != s {
			t.Errorf("Values[%d].Stat = %q, want %q", i, want.Values[i].Stat, s)
		}
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := shared.Run(t.Context(), pool, small)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): Run: %v", workers, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Workers(%d): Run = %v\nSequential = %v", workers, got, want)
		}
	}
}

// On a cluster the dataset is stored once and each worker process fetches
// one copy; the answer is the same.
func TestRunOnCluster(t *testing.T) {
	t.Parallel()
	cfg := shared.Config{N: 50_000, Seed: 5} // every process encodes or decodes it
	want, err := shared.Sequential(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Start(t.Context(), cluster.Workers(2), cluster.Output(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := shared.Run(t.Context(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run on a cluster = %v\nSequential = %v", got, want)
	}
}

func TestCompute(t *testing.T) {
	t.Parallel()
	d := []float64{1, -2, 3, 3, -1}
	// By hand: mean 0.8, deviations 0.2, -2.8, 2.2, 2.2, -1.8; central
	// moments m2 = 20.8/5, m3 = -6.48/5, m4 = 118.816/5; the path of
	// cumulative sums 1, -1, 2, 5, 4.
	m2, m3, m4 := 20.8/5, -6.48/5, 118.816/5
	want := map[shared.Stat]float64{
		shared.Sum:            4,
		shared.Mean:           0.8,
		shared.Variance:       m2,
		shared.Skewness:       m3 / math.Pow(m2, 1.5),
		shared.Kurtosis:       m4/(m2*m2) - 3,
		shared.Min:            -2,
		shared.Max:            3,
		shared.AboveMean:      3,
		shared.L1Norm:         10,
		shared.L2Norm:         math.Sqrt(24),
		shared.TotalVariation: 12,
		shared.ZeroCrossings:  3,
		shared.LongestRise:    1,
		shared.MaxDrawdown:    2, // from 1 down to -1
		shared.MaxSubarray:    6, // 3 + 3
		shared.Autocorr1:      -5.84 / 20.8,
	}
	if len(want) != len(shared.Stats()) {
		t.Fatalf("the table covers %d statistics, want all %d", len(want), len(shared.Stats()))
	}
	for _, s := range shared.Stats() {
		got, err := shared.Compute(t.Context(), s, d)
		if err != nil {
			t.Errorf("Compute(%s): %v", s, err)
			continue
		}
		if math.Abs(got-want[s]) > 1e-12*max(1, math.Abs(want[s])) {
			t.Errorf("Compute(%s, %v) = %v, want %v", s, d, got, want[s])
		}
	}
}

// Statistics undefined for constant data are 0 there, never NaN, so that
// Results compare equal.
func TestComputeConstant(t *testing.T) {
	t.Parallel()
	for _, d := range [][]float64{{5}, {2, 2, 2}} {
		for _, s := range shared.Stats() {
			got, err := shared.Compute(t.Context(), s, d)
			if err != nil || math.IsNaN(got) || math.IsInf(got, 0) {
				t.Errorf("Compute(%s, %v) = %v, %v", s, d, got, err)
			}
		}
	}
	for _, s := range []shared.Stat{shared.Skewness, shared.Kurtosis, shared.Autocorr1} {
		if got, _ := shared.Compute(t.Context(), s, []float64{2, 2, 2}); got != 0 {
			t.Errorf("Compute(%s) of constant data = %v, want 0", s, got)
		}
	}
}

// Statistics that look at neighbours see across the blocks they are
// computed in.
func TestComputeAcrossBlocks(t *testing.T) {
	t.Parallel()
	d := make([]float64, 200_000)
	for i := range d {
		d[i] = float64(i % 150_000) // rises for 150,000 values, drops once, rises again
	}
	if got, _ := shared.Compute(t.Context(), shared.LongestRise, d); got != 149_999 {
		t.Errorf("LongestRise = %v, want 149999", got)
	}
	if got, _ := shared.Compute(t.Context(), shared.TotalVariation, d); got != 149_999+149_999+49_999 {
		t.Errorf("TotalVariation = %v, want %d", got, 149_999+149_999+49_999)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	d, err := shared.Generate(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != small.N {
		t.Fatalf("%d values, want %d", len(d), small.N)
	}
	again, _ := shared.Generate(t.Context(), small)
	if !reflect.DeepEqual(d, again) {
		t.Error("Generate is not deterministic")
	}
	other, _ := shared.Generate(t.Context(), shared.Config{N: small.N, Seed: small.Seed + 1})
	if reflect.DeepEqual(d, other) {
		t.Error("seeds 3 and 4 generate the same data")
	}
	// The series' parameters: mean 0.0004, lag-1 autocorrelation 0.1, sd
	// 0.01/sqrt(1-0.01). Over 300,000 values the standard errors are about
	// 0.00002, 0.002 and 0.00002.
	res, err := shared.SequentialData(t.Context(), d, []shared.Stat{shared.Mean, shared.Autocorr1, shared.Variance})
	if err != nil {
		t.Fatal(err)
	}
	mean, _ := res.Get(shared.Mean)
	rho, _ := res.Get(shared.Autocorr1)
	v, _ := res.Get(shared.Variance)
	if math.Abs(mean-0.0004) > 0.0001 || math.Abs(rho-0.1) > 0.01 || math.Abs(math.Sqrt(v)-0.01/math.Sqrt(0.99)) > 0.0001 {
		t.Errorf("generated mean %g, autocorrelation %g, sd %g; want about 0.0004, 0.1 and 0.01005", mean, rho, math.Sqrt(v))
	}
}

// On a pool every task reads the caller's backing array: Put copies
// nothing. (Not parallel: it sets a process-wide hook.)
func TestRunDataSharesData(t *testing.T) {
	d, err := shared.Generate(t.Context(), shared.Config{N: 10_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[shared.Stat]bool{}
	defer shared.SetTaskHook(func(s shared.Stat, got []float64) func() {
		mu.Lock()
		defer mu.Unlock()
		if &got[0] != &d[0] || len(got) != len(d) || cap(got) != cap(d) {
			t.Errorf("%s got the data at %p, len %d, cap %d; want the caller's slice at %p, len %d, cap %d",
				s, &got[0], len(got), cap(got), &d[0], len(d), cap(d))
		}
		seen[s] = true
		return func() {}
	})()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	if _, err := shared.RunData(t.Context(), pool, d, shared.Stats()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(shared.Stats()) {
		t.Errorf("the hook saw %d statistics, want %d", len(seen), len(shared.Stats()))
	}
}

// At most AtOnce statistics run at once, however many workers the pool
// has: a gauge counts the running ones. (Not parallel: it sets a
// process-wide hook.)
func TestRunDataLimit(t *testing.T) {
	d := []float64{1, 2, 3}
	var running, peak atomic.Int64
	defer shared.SetTaskHook(func(shared.Stat, []float64) func() {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond) // long enough for the others to start
		return func() { running.Add(-1) }
	})()
	pool := shoal.NewPool(shoal.Workers(8))
	defer pool.Close()
	if _, err := shared.RunData(t.Context(), pool, d, shared.Stats()); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != shared.AtOnce {
		t.Errorf("at most %d statistics ran at once on 8 workers, want exactly AtOnce = %d", p, shared.AtOnce)
	}
	// A Limit in the options overrides AtOnce.
	peak.Store(0)
	if _, err := shared.RunData(t.Context(), pool, d, shared.Stats(), shoal.Limit(2)); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("with Limit(2), at most %d statistics ran at once, want 2", p)
	}
}

// Cancelling the context while the statistics run returns its error at
// once. (Not parallel: it sets a process-wide hook.)
func TestRunDataCancel(t *testing.T) {
	d, err := shared.Generate(t.Context(), shared.Config{N: 2_000_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var cancelled atomic.Pointer[time.Time]
	defer shared.SetTaskHook(func(shared.Stat, []float64) func() {
		now := time.Now()
		if cancelled.CompareAndSwap(nil, &now) {
			cancel() // as the first statistic starts
		}
		return func() {}
	})()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	_, err = shared.RunData(ctx, pool, d, shared.Stats())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RunData cancelled mid-run: err = %v, want context.Canceled", err)
	}
	if wait := time.Since(*cancelled.Load()); wait > time.Second {
		t.Errorf("RunData returned %v after cancel, want promptly", wait)
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	if _, err := shared.Run(ctx, pool, small); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: err = %v, want context.Canceled", err)
	}
	if _, err := shared.Sequential(ctx, small); !errors.Is(err, context.Canceled) {
		t.Errorf("Sequential: err = %v, want context.Canceled", err)
	}
	if _, err := shared.SequentialData(ctx, []float64{1, 2}, shared.Stats()); !errors.Is(err, context.Canceled) {
		t.Errorf("SequentialData: err = %v, want context.Canceled", err)
	}
	if _, err := shared.Generate(ctx, small); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate: err = %v, want context.Canceled", err)
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	ctx := t.Context()
	d := []float64{1, 2, 3}
	if _, err := shared.RunData(ctx, pool, d, shared.Stats(), shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("RunData with Limit(0): err = %v, want shoal.ErrInvalidOption", err)
	}
	bad := shared.Config{N: 0}
	if _, err := shared.Run(ctx, pool, bad); !errors.Is(err, shared.ErrInvalidConfig) {
		t.Errorf("Run(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
	if _, err := shared.Sequential(ctx, bad); !errors.Is(err, shared.ErrInvalidConfig) {
		t.Errorf("Sequential(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
	median := []shared.Stat{shared.Mean, "median"}
	if _, err := shared.RunData(ctx, pool, d, median); !errors.Is(err, shared.ErrUnknownStat) || !strings.Contains(err.Error(), `"median"`) {
		t.Errorf("RunData of %q: err = %v, want ErrUnknownStat naming it", median, err)
	}
	if _, err := shared.SequentialData(ctx, d, median); !errors.Is(err, shared.ErrUnknownStat) {
		t.Errorf("SequentialData of %q: err = %v, want ErrUnknownStat", median, err)
	}
	if _, err := shared.RunData(ctx, pool, nil, shared.Stats()); !errors.Is(err, shared.ErrNoData) {
		t.Errorf("RunData of no data: err = %v, want ErrNoData", err)
	}
	if _, err := shared.SequentialData(ctx, nil, shared.Stats()); !errors.Is(err, shared.ErrNoData) {
		t.Errorf("SequentialData of no data: err = %v, want ErrNoData", err)
	}
}

func TestConfigFor(t *testing.T) {
	t.Parallel()
	wantN := map[string]int{"small": 1_000_000, "default": 50_000_000, "large": 100_000_000}
	for size, n := range wantN {
		cfg, err := shared.ConfigFor(size)
		if err != nil || cfg.N != n || cfg.Validate() != nil {
			t.Errorf("ConfigFor(%q) = %+v, %v; want %d values", size, cfg, err, n)
		}
	}
	_, err := shared.ConfigFor("huge")
	if !errors.Is(err, shared.ErrInvalidConfig) || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("ConfigFor(\"huge\"): err = %v, want ErrInvalidConfig naming the size", err)
	}
	for _, c := range []shared.Config{{N: 0}, {N: -1}, {N: shared.MaxN + 1}} {
		if err := c.Validate(); !errors.Is(err, shared.ErrInvalidConfig) {
			t.Errorf("%+v.Validate() = %v, want ErrInvalidConfig", c, err)
		}
	}
}

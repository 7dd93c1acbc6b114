package powers_test

import (
	"context"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/powers"
)

// small is enough values for the low moments to be close to theory, and
// small enough for -race.
var small = powers.Config{N: 200_000, Chunk: 10_000, Seed: 7, Powers: powers.SeedPowers}

func TestRunEqualsSequential(t *testing.T) {
	t.Parallel()
	want, err := powers.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := powers.Run(t.Context(), pool, small)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): Run: %v", workers, err)
		}
		// Bit-identical, not merely close: the partial sums are added in
		// chunk order whatever the schedule.
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Workers(%d): Run = %v\nSequential = %v", workers, got, want)
		}
	}
}

// On a cluster the chunks run in worker processes, and the answer is
// still bit-identical.
func TestRunOnCluster(t *testing.T) {
	t.Parallel()
	want, err := powers.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Start(t.Context(), cluster.Workers(2), cluster.Output(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := powers.Run(t.Context(), c, small)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run on a cluster = %v\nSequential = %v", got, want)
	}
}

// The values depend on the Config only: map chunking does not change them.
func TestRunChunkingIndependent(t *testing.T) {
	t.Parallel()
	want, err := powers.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	pool := shoal.NewPool(shoal.Workers(3))
	defer pool.Close()
	for _, n := range []int{1, 2, 7, 1000} {
		got, err := powers.Run(t.Context(), pool, small, shoal.ChunkSize(n))
		if err != nil {
			t.Fatalf("ChunkSize(%d): %v", n, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ChunkSize(%d): Run = %v\nSequential = %v", n, got, want)
		}
	}
}

func TestMomentsNearTheory(t *testing.T) {
	t.Parallel()
	res, err := powers.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != small.N || len(res.Moments) != len(small.Powers) {
		t.Fatalf("Result for N = %d and %d moments, want %d and %d", res.N, len(res.Moments), small.N, len(small.Powers))
	}
	// Standard errors over 200,000 values: sqrt(Var[x^p]/N). For x, 0.0022;
	// for x², sqrt(2/N) = 0.0032. Allow 5 of them.
	tol := map[int]float64{1: 0.012, 2: 0.016}
	for i, m := range res.Moments {
		if m.Power != small.Powers[i] || m.Theory != powers.Theory(m.Power) {
			t.Errorf("Moments[%d] = %+v, want power %d with theory %g", i, m, small.Powers[i], powers.Theory(small.Powers[i]))
		}
		if d, ok := tol[m.Power]; ok && math.Abs(m.Mean-m.Theory) > d {
			t.Errorf("mean x^%d = %g, want within %g of %g", m.Power, m.Mean, d, m.Theory)
		}
		if m.Power%2 == 0 && m.Mean <= 0 || math.IsNaN(m.Mean) || math.IsInf(m.Mean, 0) {
			t.Errorf("mean x^%d = %g", m.Power, m.Mean)
		}
	}
}

func TestTheory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    int
		want float64
	}{{0, 1}, {1, 0}, {2, 1}, {4, 3}, {6, 15}, {12, 10395}, {15, 0}}
	for _, tt := range tests {
		if got := powers.Theory(tt.p); got != tt.want {
			t.Errorf("Theory(%d) = %g, want %g", tt.p, got, tt.want)
		}
	}
}

// SumChunk's powers are exact products: x^0 sums to the chunk's length.
func TestSumChunk(t *testing.T) {
	t.Parallel()
	j := powers.ChunkJob{Seed: 1, Index: 3, Len: 100, Powers: []int{0, 1, 2, 3}}
	p, err := powers.SumChunk(t.Context(), j)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sums[0] != 100 {
		t.Errorf("sum of x^0 over 100 values = %g, want 100", p.Sums[0])
	}
	again, _ := powers.SumChunk(t.Context(), j)
	if !reflect.DeepEqual(p, again) {
		t.Error("SumChunk is not deterministic")
	}
	other, _ := powers.SumChunk(t.Context(), powers.ChunkJob{Seed: 1, Index: 4, Len: 100, Powers: j.Powers})
	if reflect.DeepEqual(p, other) {
		t.Error("chunks 3 and 4 have the same values")
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// Seconds of work, even without -race.
		_, err := powers.Run(ctx, pool, powers.Config{N: 500_000_000, Chunk: 1 << 16, Seed: 1, Powers: powers.SeedPowers})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run cancelled mid-run: err = %v, want context.Canceled", err)
		}
		if wait := time.Since(cancelled); wait > 2*time.Second { // far less than the work left; room for a loaded machine
			t.Errorf("Run returned %v after cancel, want promptly", wait)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
}

func TestSequentialCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := powers.Sequential(ctx, powers.Config{N: 500_000_000, Chunk: 1 << 16, Seed: 1, Powers: powers.SeedPowers})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sequential past its deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second { // far less than the work; room for a loaded machine
		t.Errorf("Sequential took %v with a 50ms deadline, want it to stop promptly", took)
	}
}

func TestRunInvalid(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	if _, err := powers.Run(t.Context(), pool, small, shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("Run with Limit(0): err = %v, want shoal.ErrInvalidOption", err)
	}
	bad := powers.Config{N: 10, Chunk: 20, Powers: powers.SeedPowers}
	if _, err := powers.Run(t.Context(), pool, bad); !errors.Is(err, powers.ErrInvalidConfig) {
		t.Errorf("Run(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
	if _, err := powers.Sequential(t.Context(), bad); !errors.Is(err, powers.ErrInvalidConfig) {
		t.Errorf("Sequential(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
}

func TestConfigFor(t *testing.T) {
	t.Parallel()
	for _, size := range []string{"small", "default", "large"} {
		cfg, err := powers.ConfigFor(size)
		if err != nil {
			t.Errorf("ConfigFor(%q): %v", size, err)
			continue
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("ConfigFor(%q) = %+v: %v", size, cfg, err)
		}
		if !reflect.DeepEqual(cfg.Powers, powers.SeedPowers) {
			t.Errorf("ConfigFor(%q).Powers = %v, want %v", size, cfg.Powers, powers.SeedPowers)
		}
	}
	if def, _ := powers.ConfigFor("default"); def.N != 10_000_000 {
		t.Errorf("ConfigFor(\"default\").N = %d, want 10,000,000", def.N)
	}
	_, err := powers.ConfigFor("huge")
	if !errors.Is(err, powers.ErrInvalidConfig) || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("ConfigFor(\"huge\"): err = %v, want ErrInvalidConfig naming the size", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	p := powers.SeedPowers
	tests := []struct {
		cfg powers.Config
		ok  bool
	}{
		{powers.Config{N: 1, Chunk: 1, Powers: p}, true},
		{powers.Config{N: 100, Chunk: 7, Powers: []int{0, powers.MaxPower}}, true},
		{powers.Config{N: 0, Chunk: 1, Powers: p}, false},
		{powers.Config{N: powers.MaxN + 1, Chunk: 1, Powers: p}, false},
		{powers.Config{N: 10, Chunk: 0, Powers: p}, false},
		{powers.Config{N: 10, Chunk: 11, Powers: p}, false},
		{powers.Config{N: 10, Chunk: 5}, false},
		{powers.Config{N: 10, Chunk: 5, Powers: []int{-1}}, false},
		{powers.Config{N: 10, Chunk: 5, Powers: []int{powers.MaxPower + 1}}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, powers.ErrInvalidConfig) {
			t.Errorf("%+v.Validate() = %v, want ok = %v", tt.cfg, err, tt.ok)
		}
	}
}

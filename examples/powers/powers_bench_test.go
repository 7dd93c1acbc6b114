package powers_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/powers"
)

// The default size: 10 million values, the seed's four powers.
func defaultConfig(b *testing.B) powers.Config {
	b.Helper()
	cfg, err := powers.ConfigFor("default")
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

func BenchmarkSequential(b *testing.B) {
	cfg := defaultConfig(b)
	for b.Loop() {
		if _, err := powers.Sequential(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.N)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

// BenchmarkPool runs on a pool of GOMAXPROCS workers: run with -cpu 2 for
// the 2-core row.
func BenchmarkPool(b *testing.B) {
	cfg := defaultConfig(b)
	pool := shoal.NewPool()
	defer pool.Close()
	for b.Loop() {
		if _, err := powers.Run(b.Context(), pool, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.N)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

// BenchmarkSpeedup times Sequential and Run on a pool of GOMAXPROCS
// workers in the same iterations, alternating, and reports the ratio of
// their total times as "speedup" (the target on 2 cores: ≥ 1.9).
func BenchmarkSpeedup(b *testing.B) {
	cfg := defaultConfig(b)
	pool := shoal.NewPool()
	defer pool.Close()
	var seq, par time.Duration
	for b.Loop() {
		start := time.Now()
		want, err := powers.Sequential(b.Context(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		seq += time.Since(start)
		start = time.Now()
		got, err := powers.Run(b.Context(), pool, cfg)
		if err != nil {
			b.Fatal(err)
		}
		par += time.Since(start)
		if got.String() != want.String() {
			b.Fatalf("Run = %v, Sequential = %v", got, want)
		}
	}
	b.ReportMetric(seq.Seconds()/par.Seconds(), "speedup")
	b.ReportMetric(seq.Seconds()*1e3/float64(b.N), "seq-ms/op")
	b.ReportMetric(par.Seconds()*1e3/float64(b.N), "pool-ms/op")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "workers")
}

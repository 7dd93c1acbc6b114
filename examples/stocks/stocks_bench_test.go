package stocks_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
)

// benchConfig is the size of the speed targets: 100 symbols × 2,500 days.
var benchConfig = stocks.GenConfig{Symbols: 100, Days: 2500, Seed: 1}

// benchData generates benchConfig once for all the benchmarks of a run,
// and converts it, returning the .jsonl and .parquet directories.
var benchData = sync.OnceValues(func() (string, string) {
	dir, err := osMkdirTemp()
	if err != nil {
		panic(err)
	}
	in, pq := filepath.Join(dir, "jsonl"), filepath.Join(dir, "parquet")
	if err := stocks.Generate(in, benchConfig); err != nil {
		panic(err)
	}
	if _, err := stocks.ConvertSequential(context.Background(), in, pq); err != nil {
		panic(err)
	}
	return in, pq
})

// paired runs base and subject one after the other in every iteration of
// b, alternating which goes first, and times only subject as the
// benchmark's ns/op. It reports seq-ns/op, base's time per op, and
// speedup, base's time over subject's: a ratio of runs taken side by side,
// under the same load, as in the bench module.
func paired(b *testing.B, base, subject func() error) {
	b.Helper()
	var tbase, tsubject time.Duration
	timed := func(f func() error, total *time.Duration) {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*total += time.Since(start)
	}
	i := 0
	for b.Loop() {
		runBase := func() {
			b.StopTimer()
			timed(base, &tbase)
			b.StartTimer()
		}
		if i%2 == 0 {
			runBase()
		}
		timed(subject, &tsubject)
		if i%2 == 1 {
			runBase()
		}
		i++
	}
	b.ReportMetric(float64(tbase.Nanoseconds())/float64(b.N), "seq-ns/op")
	b.ReportMetric(float64(tbase)/float64(tsubject), "speedup")
}

// BenchmarkStages12 runs stages 1 and 2 (Convert and Correlate) on 100
// symbols × 2,500 days on a pool of GOMAXPROCS workers, and the same with
// plain loops (ConvertSequential and CorrelateSequential) in the same
// iterations. Targets: ≤ 1 s per op on 2 cores; speedup ≥ 1.7.
func BenchmarkStages12(b *testing.B) {
	in, _ := benchData()
	ctx := context.Background()
	out := filepath.Join(b.TempDir(), "parquet")
	pool := shoal.NewPool()
	defer pool.Close()
	b.ReportAllocs()
	paired(b, func() error {
		if _, err := stocks.ConvertSequential(ctx, in, out); err != nil {
			return err
		}
		_, err := stocks.CorrelateSequential(ctx, out)
		return err
	}, func() error {
		if _, err := stocks.Convert(ctx, pool, in, out); err != nil {
			return err
		}
		_, err := stocks.Correlate(ctx, pool, out)
		return err
	})
}

// BenchmarkStage1 is stage 1 alone: every .jsonl file to Parquet.
func BenchmarkStage1(b *testing.B) {
	in, _ := benchData()
	ctx := context.Background()
	out := filepath.Join(b.TempDir(), "parquet")
	pool := shoal.NewPool()
	defer pool.Close()
	b.ReportAllocs()
	paired(b, func() error {
		_, err := stocks.ConvertSequential(ctx, in, out)
		return err
	}, func() error {
		_, err := stocks.Convert(ctx, pool, in, out)
		return err
	})
}

// BenchmarkStage2 is stage 2 alone: load the closes, standardise the
// returns once, correlate the 4,950 pairs. Target: speedup ≥ 1.8.
func BenchmarkStage2(b *testing.B) {
	_, pq := benchData()
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()
	b.ReportAllocs()
	paired(b, func() error {
		_, err := stocks.CorrelateSequential(ctx, pq)
		return err
	}, func() error {
		_, err := stocks.Correlate(ctx, pool, pq)
		return err
	})
}

// BenchmarkStage2Array is stage 2 with its pairs as array products
// (CorrelateArray) against the sequential stage 2, side by side.
func BenchmarkStage2Array(b *testing.B) {
	_, pq := benchData()
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()
	b.ReportAllocs()
	paired(b, func() error {
		_, err := stocks.CorrelateSequential(ctx, pq)
		return err
	}, func() error {
		_, err := stocks.CorrelateArray(ctx, pool, pq)
		return err
	})
}

// BenchmarkParseLine parses a generated line: with the package's parser
// (a fast scanner, falling back to encoding/json), and with encoding/json
// alone.
func BenchmarkParseLine(b *testing.B) {
	line := []byte(`{"date": "2019-03-04", "open": 61.2473, "high": 62.0911, "low": 60.8830, "close": 61.7002, "volume": 1183554}`)
	b.Run("stocks", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stocks.ParseLine(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var row struct {
			Date                   string
			Open, High, Low, Close float64
			Volume                 int64
		}
		for b.Loop() {
			if err := json.Unmarshal(line, &row); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// osMkdirTemp makes the directory of the benchmarks' data. It is left for
// the operating system to clear: the data is shared by every benchmark of
// the run, which ends without a hook to remove it.
func osMkdirTemp() (string, error) { return os.MkdirTemp("", "stocks-bench-") }

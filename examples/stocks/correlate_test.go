package stocks_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
)

// converted converts the .jsonl files of in into a new directory and
// returns it.
func converted(t testing.TB, in string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "parquet")
	if _, err := stocks.ConvertSequential(context.Background(), in, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAgainstBruteForce compares every pair Correlate computes for the
// data in jsonl (converted to pq) with bruteForce, and returns the most
// correlated by brute force.
func checkAgainstBruteForce(t *testing.T, jsonl, pq string) stocks.Pair {
	t.Helper()
	want := bruteForce(t, jsonl)
	got, err := stocks.AllPairs(t.Context(), pq)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d pairs compared, brute force compares %d", len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("pair %v: not compared; brute force: r = %v on %d days", k, w.Corr, w.Days)
		case g.Days != w.Days || math.Abs(g.Corr-w.Corr) > 1e-9:
			t.Errorf("pair %v: r = %v on %d days; brute force: r = %v on %d days", k, g.Corr, g.Days, w.Corr, w.Days)
		}
	}
	return best(want)
}

func TestCorrelate(t *testing.T) {
	t.Parallel()
	in := generated(t, small)
	pq := converted(t, in)
	want, err := stocks.CorrelateSequential(t.Context(), pq)
	if err != nil {
		t.Fatal(err)
	}
	a, b := stocks.PlantedPair(small)
	if want.A != a || want.B != b {
		t.Errorf("CorrelateSequential = %+v, want the planted pair %s and %s", want, a, b)
	}
	if want.Corr < 0.9 {
		t.Errorf("the planted pair correlates at %v, want above 0.9", want.Corr)
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := stocks.Correlate(t.Context(), pool, pq)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): %v", workers, err)
		}
		if got != want {
			t.Errorf("Workers(%d): Correlate = %+v, CorrelateSequential = %+v", workers, got, want)
		}
	}
	brute := checkAgainstBruteForce(t, in, pq)
	if brute.A != want.A || brute.B != want.B || brute.Days != want.Days || math.Abs(brute.Corr-want.Corr) > 1e-9 {
		t.Errorf("Correlate = %+v; brute force = %+v", want, brute)
	}
}

// Irregular data: symbols on random subsets of a calendar with weekend
// days, a date only one symbol has, late starts and early ends.
func TestCorrelateIrregular(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	in := filepath.Join(t.TempDir(), "in")
	base := make([]float64, 400) // a common factor, so that pairs correlate
	for k := range base {
		base[k] = 0.01 * rng.NormFloat64()
	}
	for s := range 8 {
		start, end := rng.IntN(100), 300+rng.IntN(100)
		missing := 0.02 + 0.2*rng.Float64()
		load := rng.Float64()
		price := 50.0
		var lines []string
		for k := start; k < end; k++ {
			price *= math.Exp(load*base[k] + 0.01*rng.NormFloat64())
			if rng.Float64() < missing {
				continue
			}
			date := time.Date(2021, 1, 1+k, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			lines = append(lines, fmt.Sprintf(`{"date": %q, "open": 1, "high": 1, "low": 1, "close": %.6f, "volume": 1}`, date, price))
		}
		writeLines(t, in, fmt.Sprintf("S%d.jsonl", s), lines...)
	}
	writeLines(t, in, "ODD.jsonl", `{"date": "2020-06-06", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1}`)
	pq := converted(t, in)
	brute := checkAgainstBruteForce(t, in, pq)
	got, err := stocks.Correlate(t.Context(), shoal.Default(), pq)
	if err != nil {
		t.Fatal(err)
	}
	if got.A != brute.A || got.B != brute.B || got.Days != brute.Days || math.Abs(got.Corr-brute.Corr) > 1e-9 {
		t.Errorf("Correlate = %+v; brute force = %+v", got, brute)
	}
}

// B is A at twice the price on fewer days: it starts later, ends earlier
// and misses two days, yet on the dates both have their returns are the
// same, so the pair correlates perfectly on exactly those returns.
func TestCorrelateAlignsSeriesOfDifferentLengths(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	in := filepath.Join(t.TempDir(), "in")
	var a, b, c []string
	price := 100.0
	line := func(k int, close float64) string {
		date := time.Date(2022, 3, 1+k, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		return fmt.Sprintf(`{"date": %q, "open": 1, "high": 1, "low": 1, "close": %v, "volume": 1}`, date, close)
	}
	for k := range 60 {
		price *= math.Exp(0.02 * rng.NormFloat64())
		a = append(a, line(k, price))
		if k >= 10 && k < 55 && k != 20 && k != 33 {
			b = append(b, line(k, 2*price))
		}
		c = append(c, line(k, 50*math.Exp(0.02*rng.NormFloat64())))
	}
	writeLines(t, in, "A.jsonl", a...)
	writeLines(t, in, "B.jsonl", b...)
	writeLines(t, in, "C.jsonl", c...)
	got, err := stocks.Correlate(t.Context(), shoal.Default(), converted(t, in))
	if err != nil {
		t.Fatal(err)
	}
	// B's returns: days 11 to 54, less 20, 21, 33 and 34, which follow or
	// are missing days.
	if got.A != "A" || got.B != "B" || got.Days != 40 || math.Abs(got.Corr-1) > 1e-12 {
		t.Errorf("Correlate = %+v, want A and B, r = 1 on 40 days", got)
	}
}

func TestCorrelateNoPair(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "in")
	var a, b []string
	for k := range 30 { // no date in common
		a = append(a, fmt.Sprintf(`{"date": "2001-01-%02d", "open": 1, "high": 1, "low": 1, "close": %d, "volume": 1}`, k+1, k+1))
		b = append(b, fmt.Sprintf(`{"date": "2002-01-%02d", "open": 1, "high": 1, "low": 1, "close": %d, "volume": 1}`, k+1, k+1))
	}
	writeLines(t, in, "A.jsonl", a...)
	writeLines(t, in, "B.jsonl", b...)
	pq := converted(t, in)
	if _, err := stocks.Correlate(t.Context(), shoal.Default(), pq); !errors.Is(err, stocks.ErrNoPair) {
		t.Errorf("Correlate of series without common dates: err = %v, want ErrNoPair", err)
	}
	if _, err := stocks.CorrelateSequential(t.Context(), pq); !errors.Is(err, stocks.ErrNoPair) {
		t.Errorf("CorrelateSequential of series without common dates: err = %v, want ErrNoPair", err)
	}
	if _, err := stocks.Correlate(t.Context(), shoal.Default(), t.TempDir()); !errors.Is(err, stocks.ErrNoData) {
		t.Errorf("Correlate of an empty directory: err = %v, want ErrNoData", err)
	}
}

func TestCorrelateBadFile(t *testing.T) {
	t.Parallel()
	pq := converted(t, generated(t, stocks.GenConfig{Symbols: 3, Days: 100}))
	bad := filepath.Join(pq, "BAD.parquet")
	if err := os.WriteFile(bad, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := stocks.Correlate(t.Context(), shoal.Default(), pq)
	var te *shoal.TaskError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), bad) {
		t.Errorf("Correlate with a corrupt file: err = %v, want a *shoal.TaskError naming %s", err, bad)
	}
}

func TestCorrelateCancel(t *testing.T) {
	t.Parallel()
	// 40 symbols × 1,000 days: 780 pairs, in 3 tasks of 260.
	pq := converted(t, generated(t, stocks.GenConfig{Symbols: 40, Days: 1000, Seed: 5}))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := stocks.Correlate(ctx, shoal.Default(), pq); !errors.Is(err, context.Canceled) {
		t.Errorf("Correlate with a cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := stocks.CorrelateSequential(ctx, pq); !errors.Is(err, context.Canceled) {
		t.Errorf("CorrelateSequential with a cancelled context: err = %v, want context.Canceled", err)
	}

	// Cancelled once the first range of pairs is done: on one worker, the
	// other ranges have not started.
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	pool := shoal.NewPool(shoal.Workers(1))
	defer pool.Close()
	_, err := stocks.Correlate(ctx, pool, pq, shoal.OnProgress(func(done, total int) {
		if total == 3 && done > 0 { // the map over the 3 ranges of pairs
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Correlate cancelled mid-run: err = %v, want context.Canceled", err)
	}
}

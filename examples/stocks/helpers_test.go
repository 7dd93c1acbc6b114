package stocks_test

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shoal-go/shoal/examples/stocks"
)

// small is a dataset big enough for sectors, late starts and missing days,
// and small enough for -race.
var small = stocks.GenConfig{Symbols: 16, Days: 300, Seed: 7}

// generated writes cfg into a new temporary directory and returns it.
func generated(t testing.TB, cfg stocks.GenConfig) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "jsonl")
	if err := stocks.Generate(dir, cfg); err != nil {
		t.Fatalf("Generate(%+v): %v", cfg, err)
	}
	return dir
}

// writeLines writes a file of lines into dir.
func writeLines(t testing.TB, dir, name string, lines ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// names returns the names of dir's entries, hidden ones included.
func names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// noTemporaryFiles fails t if dir holds a temporary file.
func noTemporaryFiles(t testing.TB, dir string) {
	t.Helper()
	for _, name := range names(t, dir) {
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") {
			t.Errorf("%s: temporary file %s left behind", dir, name)
		}
	}
}

// bruteForce computes every pair's correlation from the JSON-lines files of
// dir directly, by the rule Correlate documents, with nothing shared with
// the package: each file read with encoding/json; the calendar, the union
// of all dates; a symbol's return on a calendar date when it has a close
// on that date and the one before; and for each pair, the textbook
// two-pass Pearson correlation over the returns both have.
func bruteForce(t testing.TB, dir string) map[[2]string]stocks.Pair {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .jsonl files in %s (%v)", dir, err)
	}
	slices.Sort(paths)
	closes := make([]map[string]float64, len(paths))
	symbols := make([]string, len(paths))
	calendar := map[string]bool{}
	for i, p := range paths {
		symbols[i] = strings.TrimSuffix(filepath.Base(p), ".jsonl")
		closes[i] = map[string]float64{}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var row struct {
				Date  string  `json:"date"`
				Close float64 `json:"close"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			closes[i][row.Date] = row.Close
			calendar[row.Date] = true
		}
		f.Close()
	}
	days := make([]string, 0, len(calendar))
	for d := range calendar {
		days = append(days, d)
	}
	slices.Sort(days) // YYYY-MM-DD sorts as dates do
	returns := make([]map[int]float64, len(paths))
	for i := range paths {
		returns[i] = map[int]float64{}
		for k := 1; k < len(days); k++ {
			c0, ok0 := closes[i][days[k-1]]
			c1, ok1 := closes[i][days[k]]
			if ok0 && ok1 {
				returns[i][k] = math.Log(c1 / c0)
			}
		}
	}
	out := map[[2]string]stocks.Pair{}
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			var x, y []float64
			for k := 1; k < len(days); k++ {
				a, okA := returns[i][k]
				b, okB := returns[j][k]
				if okA && okB {
					x, y = append(x, a), append(y, b)
				}
			}
			if len(x) < stocks.MinCommon {
				continue
			}
			out[[2]string{symbols[i], symbols[j]}] = stocks.Pair{A: symbols[i], B: symbols[j], Corr: pearson(x, y), Days: len(x)}
		}
	}
	return out
}

func pearson(x, y []float64) float64 {
	mean := func(v []float64) float64 {
		s := 0.0
		for _, e := range v {
			s += e
		}
		return s / float64(len(v))
	}
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

// best returns the most correlated of pairs; of equal ones, the first in
// alphabetical order.
func best(pairs map[[2]string]stocks.Pair) stocks.Pair {
	var b stocks.Pair
	first := true
	for _, p := range pairs {
		if first || p.Corr > b.Corr || p.Corr == b.Corr && (p.A < b.A || p.A == b.A && p.B < b.B) {
			b, first = p, false
		}
	}
	return b
}

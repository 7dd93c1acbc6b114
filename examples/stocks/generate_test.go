package stocks_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal/examples/stocks"
)

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, b := generated(t, small), generated(t, small)
	files := names(t, a)
	if len(files) != small.Symbols {
		t.Fatalf("Generate wrote %d files, want %d: %v", len(files), small.Symbols, files)
	}
	if other := names(t, b); !slices.Equal(files, other) {
		t.Fatalf("two runs wrote different files:\n%v\n%v", files, other)
	}
	for _, name := range files {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs of Generate(%+v)", name, small)
		}
	}

	reseeded := small
	reseeded.Seed++
	if c := generated(t, reseeded); slices.Equal(names(t, c), files) {
		t.Errorf("seeds %d and %d generate the same symbols", small.Seed, reseeded.Seed)
	}
}

var symbolName = regexp.MustCompile(`^[A-Z]{3,4}\.jsonl$`)

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	dir := generated(t, small)
	a, b := stocks.PlantedPair(small)
	if a >= b {
		t.Errorf("PlantedPair = %s, %s: not in alphabetical order", a, b)
	}
	calendar := map[string]bool{}
	lengths := map[int]bool{}
	gaps := 0 // files missing a weekday between two of their dates
	for _, name := range names(t, dir) {
		if !symbolName.MatchString(name) {
			t.Errorf("file %s: want a symbol of 3 or 4 capital letters", name)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		lengths[len(lines)] = true
		var prev time.Time
		for k, line := range lines {
			if !stocks.Scans([]byte(line)) {
				t.Errorf("%s:%d: the fast scanner declines a generated line: %s", name, k+1, line)
			}
			var row struct {
				Date                   string
				Open, High, Low, Close float64
				Volume                 int64
			}
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("%s:%d: %v", name, k+1, err)
			}
			d, err := time.Parse(time.DateOnly, row.Date)
			if err != nil {
				t.Fatalf("%s:%d: %v", name, k+1, err)
			}
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				t.Errorf("%s:%d: %s is a %s", name, k+1, row.Date, d.Weekday())
			}
			if k > 0 && !d.After(prev) {
				t.Errorf("%s:%d: %s is not after %s", name, k+1, row.Date, prev.Format(time.DateOnly))
			}
			weekend := prev.Weekday() == time.Friday && d.Sub(prev) == 72*time.Hour
			if k > 0 && d.Sub(prev) > 24*time.Hour && !weekend {
				gaps++
			}
			if !(row.Low > 0 && row.Low <= min(row.Open, row.Close) && row.High >= max(row.Open, row.Close) && row.Volume >= 0) {
				t.Errorf("%s:%d: inconsistent bar %s", name, k+1, line)
			}
			prev = d
			calendar[row.Date] = true
		}
	}
	if len(calendar) != small.Days {
		t.Errorf("the files cover %d dates, want %d", len(calendar), small.Days)
	}
	if len(lengths) < 3 {
		t.Errorf("the files have %d different lengths, want series of several lengths", len(lengths))
	}
	if gaps == 0 {
		t.Error("no file misses a day")
	}
	for _, s := range []string{a, b} {
		if _, err := os.Stat(filepath.Join(dir, s+".jsonl")); err != nil {
			t.Errorf("planted symbol %s: %v", s, err)
		}
	}
}

func TestGenConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg stocks.GenConfig
		ok  bool
	}{
		{stocks.GenConfig{Symbols: 2, Days: 100}, true},
		{stocks.GenConfig{Symbols: 100, Days: 2500, Seed: 1}, true},
		{stocks.GenConfig{Symbols: 1, Days: 100}, false},
		{stocks.GenConfig{Symbols: 2, Days: 99}, false},
		{stocks.GenConfig{Symbols: -5, Days: 1000}, false},
		{stocks.GenConfig{Symbols: 10_000, Days: 100_000}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, stocks.ErrInvalidConfig) {
			t.Errorf("%+v.Validate() = %v, want ok = %v", tt.cfg, err, tt.ok)
		}
	}
}

func TestGenerateInvalid(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	if err := stocks.Generate(dir, stocks.GenConfig{Symbols: 1, Days: 100}); !errors.Is(err, stocks.ErrInvalidConfig) {
		t.Errorf("Generate with 1 symbol: err = %v, want ErrInvalidConfig", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Generate with an invalid config created %s", dir)
	}
}

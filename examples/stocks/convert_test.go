package stocks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
)

func TestConvertRoundTrip(t *testing.T) {
	t.Parallel()
	in := generated(t, small)
	out := filepath.Join(t.TempDir(), "parquet")
	pool := shoal.NewPool(shoal.Workers(3))
	defer pool.Close()
	paths, err := stocks.Convert(t.Context(), pool, in, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != small.Symbols {
		t.Fatalf("Convert wrote %d files, want %d", len(paths), small.Symbols)
	}
	for i, p := range paths {
		src := filepath.Join(in, strings.TrimSuffix(filepath.Base(p), ".parquet")+".jsonl")
		if i > 0 && p <= paths[i-1] {
			t.Errorf("paths[%d] = %s: not after %s", i, p, paths[i-1])
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("no source for %s: %v", p, err)
		}
		var want []stocks.Bar
		for line := range strings.Lines(string(data)) {
			b, err := stocks.ParseLine([]byte(line))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, b)
		}
		got, err := parquet.ReadFile[stocks.Bar](p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d rows differ from the %d lines of %s", p, len(got), len(want), src)
		}
	}
	noTemporaryFiles(t, out)
}

func TestConvertEqualsSequential(t *testing.T) {
	t.Parallel()
	in := generated(t, small)
	dir := t.TempDir()
	want, err := stocks.ConvertSequential(t.Context(), in, filepath.Join(dir, "seq"))
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := stocks.Convert(t.Context(), pool, in, filepath.Join(dir, fmt.Sprint(workers)))
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): %v", workers, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Workers(%d): %d files, sequential %d", workers, len(got), len(want))
		}
		for i := range got {
			if filepath.Base(got[i]) != filepath.Base(want[i]) {
				t.Errorf("Workers(%d): file %d is %s, sequential %s", workers, i, got[i], want[i])
			}
			x, _ := os.ReadFile(got[i])
			y, _ := os.ReadFile(want[i])
			if !bytes.Equal(x, y) {
				t.Errorf("Workers(%d): %s differs from the sequential run's", workers, got[i])
			}
		}
	}
}

const goodLine = `{"date": "2020-01-%02d", "open": 1, "high": 1, "low": 1, "close": %d, "volume": 0}`

func TestConvertMalformed(t *testing.T) {
	t.Parallel()
	good := func(d int) string { return fmt.Sprintf(goodLine, d, d) }
	tests := []struct {
		name  string
		lines []string
		line  int
		err   string
	}{
		{"bad JSON", []string{good(1), good(2), `{"date": "2020-01-03", "open": 1,`, good(4)}, 3, "unexpected end"},
		{"missing field after a blank line", []string{good(1), "", `{"date": "2020-01-03", "open": 1, "high": 1, "low": 1, "volume": 0}`}, 3, `missing "close"`},
		{"date twice", []string{good(1), good(2), good(3), good(2)}, 4, "date 2020-01-02 again (first on line 2)"},
		{"date twice, out of order", []string{good(5), good(2), good(9), good(5)}, 4, "date 2020-01-05 again (first on line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
			for k := range 5 { // good files beside the bad one
				writeLines(t, in, fmt.Sprintf("OK%d.jsonl", k), good(1), good(2), good(3))
			}
			bad := writeLines(t, in, "BAD.jsonl", tt.lines...)
			pool := shoal.NewPool(shoal.Workers(2))
			defer pool.Close()

			_, err := stocks.Convert(t.Context(), pool, in, out)
			var te *shoal.TaskError
			var le *stocks.LineError
			if !errors.As(err, &te) || !errors.As(err, &le) {
				t.Fatalf("Convert: err = %v, want a *shoal.TaskError wrapping a *stocks.LineError", err)
			}
			if le.File != bad || le.Line != tt.line {
				t.Errorf("LineError at %s:%d, want %s:%d", le.File, le.Line, bad, tt.line)
			}
			if want := fmt.Sprintf("BAD.jsonl:%d: %s", tt.line, tt.err); !strings.Contains(err.Error(), want) {
				t.Errorf("Convert: err = %q, want it to contain %q", err, want)
			}
			if _, err := os.Stat(filepath.Join(out, "BAD.parquet")); !os.IsNotExist(err) {
				t.Errorf("a failed conversion left BAD.parquet (%v)", err)
			}
			noTemporaryFiles(t, out)

			_, err = stocks.ConvertSequential(t.Context(), in, filepath.Join(dir, "seq"))
			if !errors.As(err, &le) || errors.As(err, &te) || le.Line != tt.line {
				t.Errorf("ConvertSequential: err = %v, want the *stocks.LineError at line %d", err, tt.line)
			}
		})
	}
}

func TestConvertSortsDates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	writeLines(t, in, "NEW.jsonl", fmt.Sprintf(goodLine, 3, 3), fmt.Sprintf(goodLine, 1, 1), fmt.Sprintf(goodLine, 2, 2))
	paths, err := stocks.ConvertSequential(t.Context(), in, out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[stocks.Bar](paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range rows {
		if r.Date != day-1+int32(k) || r.Close != float64(k+1) {
			t.Errorf("row %d = %+v, want the bar of 2020-01-0%d", k, r, k+1)
		}
	}
}

// A conversion that fails leaves the file it would have replaced as it was.
func TestConvertWholeOrNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	writeLines(t, in, "SYM.jsonl", fmt.Sprintf(goodLine, 1, 1), fmt.Sprintf(goodLine, 2, 2))
	paths, err := stocks.ConvertSequential(t.Context(), in, out)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	writeLines(t, in, "SYM.jsonl", fmt.Sprintf(goodLine, 1, 1), "oops")
	if _, err := stocks.ConvertSequential(t.Context(), in, out); err == nil {
		t.Fatal("converting a malformed file succeeded")
	}
	after, err := os.ReadFile(paths[0])
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a failed conversion changed %s (%v)", paths[0], err)
	}
	noTemporaryFiles(t, out)
}

func TestConvertNoData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeLines(t, dir, "notes.txt", "not stock data")
	if _, err := stocks.Convert(t.Context(), shoal.Default(), dir, filepath.Join(dir, "out")); !errors.Is(err, stocks.ErrNoData) {
		t.Errorf("Convert of a directory without .jsonl files: err = %v, want ErrNoData", err)
	}
	if _, err := stocks.Convert(t.Context(), shoal.Default(), filepath.Join(dir, "nowhere"), filepath.Join(dir, "out")); err == nil {
		t.Error("Convert of a missing directory succeeded")
	}
}

func TestConvertInvalidOption(t *testing.T) {
	t.Parallel()
	in := generated(t, stocks.GenConfig{Symbols: 2, Days: 100})
	if _, err := stocks.Convert(t.Context(), shoal.Default(), in, t.TempDir(), shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("Convert with Limit(0): err = %v, want shoal.ErrInvalidOption", err)
	}
}

func TestConvertCancel(t *testing.T) {
	t.Parallel()
	in := generated(t, stocks.GenConfig{Symbols: 30, Days: 1000, Seed: 2})
	out := filepath.Join(t.TempDir(), "out")
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var cancelled time.Time
	// Cancel once the first files are done, from the progress callback.
	cancelEarly := shoal.OnProgress(func(done, total int) {
		if done > 0 && cancelled.IsZero() {
			cancelled = time.Now()
			cancel()
		}
	})
	_, err := stocks.Convert(ctx, pool, in, out, cancelEarly)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Convert cancelled mid-run: err = %v, want context.Canceled", err)
	}
	if wait := time.Since(cancelled); wait > time.Second {
		t.Errorf("Convert returned %v after cancel, want promptly", wait)
	}
	written := names(t, out)
	if len(written) == 0 || len(written) == 30 {
		t.Errorf("Convert cancelled after the first files wrote %d of 30", len(written))
	}
	noTemporaryFiles(t, out)
	for _, name := range written { // what was written is whole
		if _, err := parquet.ReadFile[stocks.Bar](filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

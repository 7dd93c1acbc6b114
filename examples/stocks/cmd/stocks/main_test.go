package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/examples/stocks"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// buffer is a bytes.Buffer safe for the progress renderer's goroutine and
// the test's to use at once.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// execute runs the command with args and returns its outputs.
func execute(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errOut buffer
	err = run(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// The tests share the process-wide progress renderer, so they do not run
// in parallel.

func TestGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	out, errOut, err := execute(t.Context(), "--symbols", "8", "--days", "200", "--seed", "4", "--out", dir, "--workers", "3")
	if err != nil {
		t.Fatalf("stocks: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	a, b := stocks.PlantedPair(stocks.GenConfig{Symbols: 8, Days: 200, Seed: 4})
	for _, want := range []string{
		"8 symbols × 200 trading days, seed 4",
		"most correlated: " + a + " and " + b + ", r = 0.",
		"28 pairs of 8 stocks",
		"plot: " + filepath.Join(dir, "stocks.png"),
		"on 3 workers",
		"both answers agree",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q; got:\n%s", want, out)
		}
	}
	for _, want := range []string{"sequential convert: 8/8", "convert: 8/8", "correlate:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error output lacks %q; got:\n%s", want, errOut)
		}
	}
	for _, f := range []string{"stocks.png", "parquet/" + a + ".parquet", "jsonl/" + b + ".jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the run did not leave %s: %v", f, err)
		}
	}

	// The generated data is there to reuse, not to mix with new data.
	_, _, err = execute(t.Context(), "--symbols", "9", "--days", "200", "--out", dir)
	if err == nil || !strings.Contains(err.Error(), "holds .jsonl files already") {
		t.Errorf("a second run into the same --out: err = %v, want a refusal", err)
	}
	out, errOut, err = execute(t.Context(), "--data", filepath.Join(dir, "jsonl"))
	if err != nil {
		t.Fatalf("stocks --data: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "most correlated: "+a+" and "+b) || !strings.Contains(out, "(no plot") {
		t.Errorf("stocks --data: output lacks the answer or the note on the plot:\n%s", out)
	}
}

func TestData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "mine")
	cfg := stocks.GenConfig{Symbols: 5, Days: 150, Seed: 8}
	if err := stocks.Generate(data, cfg); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := execute(t.Context(), "--data", data, "--workers", "2")
	if err != nil {
		t.Fatalf("stocks --data: %v\n%s", err, errOut)
	}
	a, b := stocks.PlantedPair(cfg)
	for _, want := range []string{"the .jsonl files of " + data, "most correlated: " + a + " and " + b, "both answers agree"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q; got:\n%s", want, out)
		}
	}

	// A malformed file: the error names it and the line.
	if err := os.WriteFile(filepath.Join(data, "BAD.jsonl"), []byte("{\"date\": \"2020-01-02\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = execute(t.Context(), "--data", data)
	if err == nil || !strings.Contains(err.Error(), "BAD.jsonl:1: missing \"open\"") {
		t.Errorf("stocks --data with a malformed file: err = %v, want it to name BAD.jsonl:1", err)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error output
	}{
		{[]string{"--data", "x", "--symbols", "5"}, "--data uses existing files"},
		{[]string{"--workers", "0"}, "--workers 0"},
		{[]string{"--size", "huge"}, `unknown size "huge"`},
		{[]string{"--symbols", "1"}, "1 symbols"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		_, errOut, err := execute(t.Context(), tt.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "usage: stocks") {
			t.Errorf("stocks %v: err = %v, error output %q; want a usage error saying %q", tt.args, err, errOut, tt.want)
		}
	}
	if _, _, err := execute(t.Context(), "--data", filepath.Join(t.TempDir(), "nowhere")); !errors.Is(err, stocks.ErrInvalidConfig) {
		t.Errorf("stocks --data of a missing directory: err = %v, want ErrInvalidConfig", err)
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := execute(ctx, "--symbols", "5", "--days", "150"); !errors.Is(err, context.Canceled) {
		t.Errorf("stocks with a cancelled context: err = %v, want context.Canceled", err)
	}
}

package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal/examples/stocks"
	"github.com/shoal-go/shoal/internal/cli"
)

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

// execute runs the shoal command with args under ctx, the way cmd/shoal
// does, and returns its output, error output and error.
func execute(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errOut buffer
	cmd := cli.NewCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestDemoTraders(t *testing.T) {
	out, errOut, err := execute(t.Context(), "demo", "traders", "--size", "small")
	if err != nil {
		t.Fatalf("demo traders --size small: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, want := range []string{
		"4 assets × 25 traders × 50 trades = 5000 transactions, seed 1",
		"smart traders: 4 of 100",
		"per asset:  1  1  1  1",
		"73      2    $3,296.11   0.0003", // the top trader
		"both answers agree",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --size small: output lacks %q; got:\n%s", want, out)
		}
	}
	// Off a terminal the bars print their final lines on the error output.
	for _, want := range []string{"sequential: 4/4 (100%)", "assets: 4/4 (100%)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("demo --size small: error output lacks %q; got:\n%s", want, errOut)
		}
	}
}

// timings matches what differs from run to run: times and the speedup.
var timings = regexp.MustCompile(`\d+\.\d+(s|×)`)

func TestDemoReproducible(t *testing.T) {
	var outs []string
	for _, workers := range []string{"1", "3"} {
		out, _, err := execute(t.Context(), "demo", "traders", "--size=small", "--seed=7", "--workers="+workers)
		if err != nil {
			t.Fatalf("demo --workers %s: %v", workers, err)
		}
		out = timings.ReplaceAllString(out, "T")
		out = regexp.MustCompile(`\d+ workers?`).ReplaceAllString(out, "N workers")
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("demo output differs between --workers 1 and 3, timings aside:\n%s\n---\n%s", outs[0], outs[1])
	}
	if !strings.Contains(outs[0], "seed 7") {
		t.Errorf("demo --seed=7: output does not mention seed 7:\n%s", outs[0])
	}
}

func TestDemoBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"demo", "--size", "huge"}, `invalid argument "huge" for "--size" flag: must be small, default or large`},
		{[]string{"demo", "--size="}, `must be small, default or large`},
		{[]string{"demo", "--workers", "0"}, `invalid argument "0" for "-w, --workers" flag: must be between 1 and`},
		{[]string{"demo", "-w", "-2"}, `invalid argument "-2" for "-w, --workers" flag`},
		{[]string{"demo", "--workers", "many"}, `invalid argument "many" for "-w, --workers" flag`},
		{[]string{"demo", "--seed", "-1"}, `invalid argument "-1" for "--seed" flag`},
		{[]string{"demo", "--wrkers", "2"}, `unknown flag: --wrkers`},
		{[]string{"demo", "now"}, `unknown workload "now" for "shoal demo": want sleepfarm, powers, traders, stocks or shared`},
		{[]string{"demo", "powers", "traders"}, `"shoal demo" takes at most one workload, got ["powers" "traders"]`},
		{[]string{"demo", "--data", "."}, `--data works only with the stocks workload`},
		{[]string{"demo", "powers", "--data", "."}, `--data works only with the stocks workload`},
		{[]string{"demo", "traders", "--out", "."}, `--out works only with the stocks workload`},
		{[]string{"demo", "stocks", "--data", ""}, `invalid argument "" for "--data" flag`},
		{[]string{"dmeo"}, `unknown command "dmeo" for "shoal"; did you mean "demo"?`},
	}
	for _, tt := range tests {
		start := time.Now()
		out, _, err := execute(t.Context(), tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("shoal %q: err = %v, want it to contain %q", tt.args, err, tt.want)
		}
		if out != "" {
			t.Errorf("shoal %q: printed %q before failing, want nothing", tt.args, out)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("shoal %q took %v to fail, want at once", tt.args, d)
		}
	}
}

func TestDemoCancelledBefore(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	_, _, err := execute(ctx, "demo")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "demo interrupted") {
		t.Errorf("demo with a cancelled context: err = %v, want a \"demo interrupted\" error wrapping context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("demo with a cancelled context took %v, want it to stop at once", d)
	}
}

func TestDemoCancelledMidRun(t *testing.T) {
	// The default workload takes seconds: stop it once it is under way.
	for _, tt := range []struct {
		args  []string
		after time.Duration
	}{
		{[]string{"demo", "--workers", "2"}, 300 * time.Millisecond}, // sleepfarm's sequential sleeps
		{[]string{"demo", "--workers", "2"}, 1500 * time.Millisecond},
		{[]string{"demo", "traders", "--workers", "2"}, 300 * time.Millisecond},
		{[]string{"demo", "powers", "--workers", "2"}, 200 * time.Millisecond},
		{[]string{"demo", "stocks", "--workers", "2"}, 400 * time.Millisecond},
	} {
		after := tt.after
		ctx, cancel := context.WithCancel(t.Context())
		var cancelled atomic.Int64
		timer := time.AfterFunc(after, func() {
			cancelled.Store(time.Now().UnixNano())
			cancel()
		})
		_, _, err := execute(ctx, tt.args...)
		returned := time.Now()
		timer.Stop()
		cancel()
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "demo interrupted") {
			t.Errorf("%q cancelled after %v: err = %v, want a \"demo interrupted\" error wrapping context.Canceled", tt.args, after, err)
			continue
		}
		// Generous for -race on a loaded machine; without it, a few ms.
		if wait := returned.Sub(time.Unix(0, cancelled.Load())); wait > 2*time.Second {
			t.Errorf("%q cancelled after %v returned %v later, want promptly", tt.args, after, wait)
		}
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		ctx      func() context.Context
		args     []string
		status   int
		inStderr string
	}{
		{"help", nil, []string{}, 0, ""},
		{"demo help", nil, []string{"demo", "--help"}, 0, ""},
		{"bad flag", nil, []string{"demo", "--size", "huge"}, 1, "shoal: invalid argument \"huge\" for \"--size\" flag: must be small, default or large\nRun 'shoal demo --help' for usage.\n"},
		{"unknown command", nil, []string{"bogus"}, 1, "shoal: unknown command \"bogus\" for \"shoal\"\nRun 'shoal --help' for usage.\n"},
		{"interrupted", func() context.Context {
			ctx, cancel := context.WithCancelCause(t.Context())
			cancel(errors.New("interrupt signal received"))
			return ctx
		}, []string{"demo"}, 130, "shoal: demo interrupted: interrupt signal received\n"},
	}
	for _, tt := range tests {
		ctx := t.Context()
		if tt.ctx != nil {
			ctx = tt.ctx()
		}
		var out, errOut buffer
		if got := cli.Run(ctx, tt.args, &out, &errOut); got != tt.status {
			t.Errorf("%s: status %d, want %d; stderr:\n%s", tt.name, got, tt.status, errOut.String())
		}
		if !strings.HasSuffix(errOut.String(), tt.inStderr) {
			t.Errorf("%s: stderr = %q, want it to end with %q", tt.name, errOut.String(), tt.inStderr)
		}
	}
}

func TestDemoAll(t *testing.T) {
	out, errOut, err := execute(t.Context(), "demo", "--size", "small", "--workers", "2")
	if err != nil {
		t.Fatalf("demo --size small: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, want := range []string{
		"sleepfarm (seed 002): 10 tasks that each sleep 100ms",
		"on a pool of 4 workers, as the seed asks",
		"answer: 10 tasks × 100ms ran on 4 workers in 1 process in ",
		"powers (seed 001): the mean of x^p for p = 1, 2, 12, 15 over 1000000 ",
		"traders (seed 000): the smart traders of 4 assets × 25 traders × 50 trades",
		"answer: 4 smart traders of 100; the top one, trader 73 on asset 2, realised $3,296.11",
		"stocks (seed 003): the most correlated pair of 20 generated stocks × 500 days, seed 1",
		"shared (seed 004): 16 statistics of one dataset of 1000000 float64",
		"all answers agree",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --size small: output lacks %q; got:\n%s", want, out)
		}
	}
	// The summary: a row per workload, its times, its speedup, "agree".
	if !regexp.MustCompile(`(?m)^workload +answer +parallel +sequential +speedup +answers$`).MatchString(out) {
		t.Errorf("demo --size small: no summary header; got:\n%s", out)
	}
	for _, name := range []string{"sleepfarm", "powers", "traders", "stocks", "shared"} {
		row := regexp.MustCompile(`(?m)^` + name + `  +\S.*  \d+\.\d\ds +\d+\.\d\ds +\d+\.\d\d× +agree$`)
		if !row.MatchString(out) {
			t.Errorf("demo --size small: no summary row for %s ending in agree; got:\n%s", name, out)
		}
		if strings.Count(out, name+" (seed ") != 1 {
			t.Errorf("demo --size small: want one header for %s; got:\n%s", name, out)
		}
	}
	if !regexp.MustCompile(`(?m)^sleepfarm +10 tasks on 4 workers `).MatchString(out) {
		t.Errorf("demo --size small: sleepfarm's row does not say 4 workers; got:\n%s", out)
	}
	for _, want := range []string{"sleepfarm: 10/10 (100%)", "powers: 16/16 (100%)", "assets: 4/4 (100%)", "convert: 20/20 (100%)", "shared: 16/16 (100%)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("demo --size small: error output lacks %q; got:\n%s", want, errOut)
		}
	}
}

func TestDemoPowers(t *testing.T) {
	out, errOut, err := execute(t.Context(), "demo", "powers", "--size", "small")
	if err != nil {
		t.Fatalf("demo powers --size small: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, want := range []string{
		"shoal demo powers: the mean of x^p for p = 1, 2, 12, 15 over 1000000 pseudo-random normal values, seed 1 (seed question 001)",
		"means over 1000000 values:",
		"     12  ", // the row of p = 12
		"both answers agree: the same means, to the last bit",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo powers: output lacks %q; got:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^parallel +\d+\.\d\ds +\d+\.\d\d×  on \d+ workers?$`).MatchString(out) {
		t.Errorf("demo powers: no timing line for the parallel run; got:\n%s", out)
	}
	for _, name := range []string{"sleepfarm", "traders", "stocks", "shared"} {
		if strings.Contains(out, name) {
			t.Errorf("demo powers: output mentions %s; got:\n%s", name, out)
		}
	}
}

func TestDemoStocksData(t *testing.T) {
	data, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	gen := stocks.GenConfig{Symbols: 6, Days: 300, Seed: 5}
	if err := stocks.Generate(data, gen); err != nil {
		t.Fatal(err)
	}
	a, b := stocks.PlantedPair(gen)
	stdout, errOut, err := execute(t.Context(), "demo", "stocks", "--size", "small", "--data", data, "--out", out)
	if err != nil {
		t.Fatalf("demo stocks --data: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, errOut)
	}
	for _, want := range []string{
		"shoal demo stocks: the most correlated pair of the 6 .jsonl files in " + data,
		"most correlated: " + a + " and " + b + ", r = 0.9",
		"15 pairs of 6 stocks",
		"plot of the pair in " + filepath.Join(out, "stocks.png"),
		"both answers agree: the same pair and correlation",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo stocks --data: output lacks %q; got:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "stocks.png")); err != nil {
		t.Errorf("demo stocks --out: no plot: %v", err)
	}
	if pq, _ := filepath.Glob(filepath.Join(out, "parquet", "*.parquet")); len(pq) != 6 {
		t.Errorf("demo stocks --out: %d Parquet files, want 6", len(pq))
	}

	// A missing directory is the workload's error, not a hang.
	if _, _, err := execute(t.Context(), "demo", "stocks", "--data", filepath.Join(data, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("demo stocks --data missing: err = %v, want one naming the directory", err)
	}
}

package cli_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	out, errOut, err := execute(t.Context(), "bench", "--quick", "--count", "1", "map", "stream", "submit", "arraymean")
	if err != nil {
		t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, name := range []string{"map", "stream", "submit", "arraymean"} {
		row := regexp.MustCompile(`(?m)^` + name + ` +.+ +[0-9.e+]+ (ns/item|ns/task|MiB|×) +[≤<≥] .+ (met|missed) \(\d of 1 runs\)$`)
		if !row.MatchString(out) {
			t.Errorf("bench: no row for %s; got:\n%s", name, out)
		}
	}
	if strings.Contains(out, "nested") || strings.Contains(out, "roundtrip") {
		t.Errorf("bench ran benchmarks it was not asked for:\n%s", out)
	}
}

func TestBenchCluster(t *testing.T) {
	out, errOut, err := execute(t.Context(), "bench", "--quick", "--count", "1", "--cluster", "1", "roundtrip")
	if err != nil {
		t.Fatalf("bench --cluster 1 roundtrip: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^roundtrip +.+ µs +≤ 200 µs +(met|missed)`).MatchString(out) {
		t.Errorf("bench roundtrip: no row; got:\n%s", out)
	}
}

func TestBenchErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "bogus"}, `unknown benchmark "bogus": want map, submit, cpu, nested, stream, arraymean, roundtrip`},
		{[]string{"bench", "roundtrip"}, "benchmark roundtrip needs --cluster N"},
		{[]string{"bench", "--count", "0"}, "--count must be at least 1, not 0"},
		{[]string{"bench", "--cluster", "-1"}, "--cluster must be between 0 and 65536, not -1"},
	} {
		_, _, err := execute(t.Context(), tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := execute(ctx, "bench", "--quick", "map"); !errors.Is(err, context.Canceled) {
		t.Errorf("bench with a cancelled context: %v, want context.Canceled", err)
	}
}

package benchtable

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/shoal-go/shoal/bench
cpu: Test CPU @ 2.50GHz
BenchmarkMapInts/shoal-2         	     244	   7072948 ns/op	         0.0000123 allocs/item	         7.073 ns/item	 8004467 B/op	      12 allocs/op
BenchmarkMapInts/shoal-2         	     244	   6000000 ns/op	         0.0000123 allocs/item	         6.000 ns/item	 8004467 B/op	      12 allocs/op
BenchmarkMapInts/shoal-2         	     244	   9000000 ns/op	         0.0000123 allocs/item	         9.000 ns/item	 8004467 B/op	      12 allocs/op
BenchmarkMapInts/conc-2          	      73	  15697436 ns/op	         0.0000081 allocs/item	        15.70 ns/item	 8003807 B/op	       8 allocs/op
BenchmarkSubmitGet/shoal-2       	       2	 774137118 ns/op	         1.007 allocs/task	       774.1 ns/task	177198368 B/op	 1007390 allocs/op
BenchmarkSubmitGet/pond-2        	       1	2425671096 ns/op	         7.003 allocs/task	      2426 ns/task	275178680 B/op	 7002583 allocs/op
BenchmarkNested/shoal-2          	       1	2166050605 ns/op	         2.000 max-running	4106585845 seq-ns/op	         1.896 speedup	   54528 B/op	     184 allocs/op
BenchmarkNested/conc-2           	       1	2360849881 ns/op	         4.000 max-running	   46952 B/op	     180 allocs/op
BenchmarkNestedSharedPool/shoal-map-2 	       1	 105321055 ns/op	         0 deadlock	         2.000 max-running	        81.28 probe-ms
BenchmarkNestedSharedPool/pond-2 	       1	10001440644 ns/op	         1.000 deadlock	     10001 probe-ms
--- BENCH: BenchmarkNestedSharedPool/pond-2
    nested_bench_test.go:269: pond: no result after 10s: killed
BenchmarkCPUBound/shoal-2         	      10	 112394385 ns/op	        95.05 busy-%	         4.825 end-idle-%	         0.1250 other-%	         1.004 item-ratio	 212847504 seq-ns/op	         1.894 speedup	    2656 B/op	      22 allocs/op
BenchmarkCPUBound/shoal-vs-errgroup-2 	      10	 125352258 ns/op	         0.9450 errgroup/shoal
BenchmarkStream/shoal-2          	       3	 563939723 ns/op	         0.001859 allocs/item	        56.39 ns/item	         2.908 peak-heap-MB	  952984 B/op	   18592 allocs/op
BenchmarkProgress/plain
BenchmarkProgress/plain-2        	       3	  58131825 ns/op	        58.13 ns/item	         1.171 ratio	 8006384 B/op	      35 allocs/op
PASS
`

func TestParse(t *testing.T) {
	o, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := o.Header["cpu"], "Test CPU @ 2.50GHz"; got != want {
		t.Errorf("cpu = %q, want %q", got, want)
	}
	if got, want := len(o.Runs), 14; got != want {
		t.Fatalf("got %d runs, want %d", got, want)
	}
	r := o.Runs[0]
	if r.Name != "MapInts/shoal" || r.Procs != 2 || r.Iters != 244 || r.Metrics["ns/item"] != 7.073 {
		t.Errorf("first run = %+v", r)
	}
	if got := o.Runs[8].Name; got != "NestedSharedPool/shoal-map" {
		t.Errorf("name with a dash = %q, want NestedSharedPool/shoal-map", got)
	}
}

func TestStat(t *testing.T) {
	o, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	s.Add(o)
	st, ok := s.Stat("MapInts/shoal", "ns/item")
	if !ok || st.Median != 7.073 || st.N != 3 {
		t.Fatalf("Stat = %+v, %v; want median 7.073 of 3", st, ok)
	}
	if want := (9 - 7.073) / 7.073; math.Abs(st.Spread-want) > 1e-12 {
		t.Errorf("spread = %v, want %v", st.Spread, want)
	}
	if _, ok := s.Stat("MapInts/shoal", "nonesuch"); ok {
		t.Error("Stat of a missing metric reported ok")
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of an even count = %v, want 2.5", got)
	}
	if s.Procs() != 2 {
		t.Errorf("Procs = %d, want 2", s.Procs())
	}
}

func TestRender(t *testing.T) {
	o, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	s.Add(o)
	plan := Plan(5, false)
	for _, inv := range plan {
		inv.Output, inv.OtherLoad, inv.Duration = sample, 0.5, 3*time.Second
	}
	out := Render(Report{
		Machine: Machine{Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), NumCPU: 2, Procs: 2, GoVersion: "go1.26", Header: o.Header},
		Command: "cd bench && go run ./cmd/benchtable",
		Plan:    plan,
		Set:     s,
		Notes:   HandWritten + "\n\n# Notes written by hand\n",
	})
	for _, want := range []string{
		"cd bench && go run ./cmd/benchtable",
		"| shoal ≤ 10 ns/item | 7.07 ns/item | ✅ met |",
		"| shoal ≤ 0.5 × conc | 0.451× | ✅ met |",
		"| shoal ≤ 250 ns/task | 774 ns/task | ❌ missed |",
		"| shoal ≤ 0.3 × pond | 0.319× | ❌ missed |",
		"| shoal ≤ 0.5 × errgroup | — | not measured |",
		"shoal speedup ≥ 1.85× (0.925 × GOMAXPROCS; 1.85× on 2 cores) | 1.90× | ✅ met |",
		"| conc `iter.Map` in `iter.Map` | 2.36 | 1.74† | 4 | 180 |",
		"**deadlock** (timed out after 10s, killed)",
		"completed in 81.3 ms",
		"errgroup takes 0.945× shoal's time",
		"| **shoal** | 95.0% | 4.83% | 0.125% | 1.00× |",
		"The speedup is 2 × busy ÷ that ratio",
		"keeps the [notes written by hand](#notes-written-by-hand)",
		"| shoal peak heap < 64 MB | 2.91 MiB | ✅ met |",
		"| Progress costs ≤ 5% (plain mode) | 1.17× | ❌ missed |",
		"| 7.07 ±27% |",
		"`go test -run '^$' -bench '^BenchmarkMapInts$' -benchmem -count 5 -benchtime 1s -timeout 30m .`",
		"| CPU | Test CPU @ 2.50GHz |",
		"⚠️ Other processes kept 0.50 CPUs busy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestAnchor(t *testing.T) {
	if got, want := anchor("Nested maps, 20 × 200 items of 1 ms"), "nested-maps-20--200-items-of-1-ms"; got != want {
		t.Errorf("anchor = %q, want %q", got, want)
	}
}

const clusterSample = `BenchmarkClusterRoundTrip/cluster-2         	    3000	    226000 ns/op	       180.5 p50-µs	       950.0 p99-µs	      2100 max-µs	    6864 B/op	     107 allocs/op
BenchmarkClusterRoundTrip/pool-2            	    3000	      2100 ns/op	         1.900 p50-µs	         6.000 p99-µs	        40.00 max-µs	     312 B/op	       5 allocs/op
BenchmarkClusterSubmit/cluster-2            	       5	 600000000 ns/op	     16667 tasks/s	54518672 B/op	  789509 allocs/op
BenchmarkClusterSubmit/pool-2               	       5	   7553980 ns/op	   1323805 tasks/s	 2038792 B/op	   13915 allocs/op
BenchmarkClusterMap/cluster-2               	       3	 989862008 ns/op	   1010242 items/s	204168192 B/op	 2024458 allocs/op
BenchmarkClusterCPU/cluster-2               	       3	1050000000 ns/op	        95.24 %-efficiency	        10.00 task-ms	  126520 B/op	    1350 allocs/op
BenchmarkClusterCPU/pool-2                  	       3	1010000000 ns/op	        99.01 %-efficiency	        10.00 task-ms	    6744 B/op	      28 allocs/op
BenchmarkClusterPut/cluster-2               	       1	26319318617 ns/op	         1.000 fetches/worker	      7435 put-ms	         2.000 workers-used	2879140824 B/op	   40004 allocs/op
BenchmarkClusterPut/pool-2                  	       1	  87704948 ns/op	         0 fetches/worker	         0.01900 put-ms	         0 workers-used	    5408 B/op	      77 allocs/op
`

func TestRenderCluster(t *testing.T) {
	o, err := Parse(strings.NewReader(clusterSample))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	s.Add(o)
	out := Render(Report{Machine: Machine{NumCPU: 2, Procs: 2}, Plan: Plan(5, false), Set: s})
	if strings.Contains(out, "notes written by hand") {
		t.Error("a report without notes points to them")
	}
	for _, want := range []string{
		"| cluster p50 ≤ 200 µs | 180 µs | ✅ met |",
		"| cluster p99 ≤ 1 ms | 950 µs | ✅ met |",
		"| **cluster**, 2 worker processes | 180 | 950 | 2100 | 107 |",
		"| cluster ≥ 20,000 tasks/s (2 worker processes, 2 cores) | 16667 tasks/s | ❌ missed |",
		"| pool, same process | 1323805 | 1.39 | 204 B |",
		"| cluster ≥ 500,000 items/s | 1010242 items/s | ✅ met |",
		"| **cluster**, 2 worker processes | 1010242 | 990 |",
		"| cluster efficiency ≥ 90% of ideal | 95.2% | ✅ met |",
		"| pool of `Workers(2)`, same process | 99.0 | 1.01 | 10.0 |",
		"| each worker fetches the value once | at most 1 per worker (2 of 2 workers ran tasks) | ✅ met |",
		"| pool, same process | 0.019 | 0.088 | 0 | 0 | 5.28 KiB |",
		"[Cluster: Put of 256 MiB, read by 16 tasks on 2 workers](#cluster-put-of-256-mib-read-by-16-tasks-on-2-workers)",
		"`go test -run '^$' -bench '^BenchmarkClusterPut$' -benchmem -count 2 -benchtime 1x -timeout 30m .`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestHandWrittenKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "BENCHMARKS.md")
	if kept, err := handWritten(path); kept != "" || err != nil {
		t.Fatalf("no file: %q, %v", kept, err)
	}
	tail := HandWritten + "\n\n## Notes\n\nBy hand.\n"
	for _, tc := range []struct{ old, want string }{
		{"# old\n\ngenerated\n", "# new\n"},
		{"# old\n\ngenerated\n\n" + tail, "# new\n\n" + tail},
		{"# old\n" + HandWritten + " and more\n", "# new\n"}, // not the line itself
	} {
		if err := os.WriteFile(path, []byte(tc.old), 0o644); err != nil {
			t.Fatal(err)
		}
		kept, err := handWritten(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := withHandWritten("# new\n", kept); got != tc.want {
			t.Errorf("file %q rewritten as %q, want %q", tc.old, got, tc.want)
		}
	}
}

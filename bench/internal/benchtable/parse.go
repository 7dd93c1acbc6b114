package benchtable

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Run is one line of benchmark output: one run of one benchmark.
type Run struct {
	Name    string // without the Benchmark prefix and the -GOMAXPROCS suffix: "MapInts/shoal"
	Procs   int    // the -N suffix; 1 if there was none
	Iters   int
	Metrics map[string]float64 // by unit: "ns/op", "ns/item", "speedup", ...
}

// Output is what Parse reads from go test -bench output.
type Output struct {
	Header map[string]string // goos, goarch, pkg, cpu
	Runs   []Run
}

// Parse reads the text output of go test -bench. Lines that are not
// benchmark results or header lines are ignored.
func Parse(r io.Reader) (*Output, error) {
	out := &Output{Header: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.ContainsAny(k, " \t") {
			switch k {
			case "goos", "goarch", "pkg", "cpu":
				out.Header[k] = strings.TrimSpace(v)
				continue
			}
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		run, ok, err := parseRun(line)
		if err != nil {
			return nil, err
		}
		if ok {
			out.Runs = append(out.Runs, run)
		}
	}
	return out, sc.Err()
}

// parseRun parses a result line such as
//
//	BenchmarkMapInts/shoal-2   244   7072948 ns/op   7.073 ns/item
//
// It reports false for a line that only names a benchmark (as -v prints).
func parseRun(line string) (Run, bool, error) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return Run{}, false, nil
	}
	iters, err := strconv.Atoi(f[1])
	if err != nil {
		return Run{}, false, nil
	}
	r := Run{Name: strings.TrimPrefix(f[0], "Benchmark"), Procs: 1, Iters: iters, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(r.Name, '-'); i >= 0 {
		if p, err := strconv.Atoi(r.Name[i+1:]); err == nil {
			r.Name, r.Procs = r.Name[:i], p
		}
	}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Run{}, false, fmt.Errorf("benchtable: bad value %q in %q", f[i], line)
		}
		r.Metrics[f[i+1]] = v
	}
	return r, true, nil
}

// Stat summarizes one metric of one benchmark over its runs.
type Stat struct {
	Median float64
	Spread float64 // largest distance of a run from the median, as a fraction of it
	N      int     // runs
}

// Set holds the runs of several go test invocations, by benchmark name.
type Set struct {
	runs  map[string][]Run
	procs int
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{runs: map[string][]Run{}} }

// Add adds the runs of o.
func (s *Set) Add(o *Output) {
	for _, r := range o.Runs {
		s.runs[r.Name] = append(s.runs[r.Name], r)
		s.procs = max(s.procs, r.Procs)
	}
}

// Procs reports the GOMAXPROCS the benchmarks ran with, or 0 if none ran.
func (s *Set) Procs() int { return s.procs }

// Stat returns the median of metric unit of benchmark name over its runs,
// and false if no run reported it.
func (s *Set) Stat(name, unit string) (Stat, bool) {
	var vs []float64
	for _, r := range s.runs[name] {
		if v, ok := r.Metrics[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return Stat{}, false
	}
	st := Stat{Median: median(vs), N: len(vs)}
	if st.Median != 0 {
		for _, v := range vs {
			st.Spread = max(st.Spread, abs(v-st.Median)/abs(st.Median))
		}
	}
	return st, true
}

// Median returns just the median of Stat, and false if there is none.
func (s *Set) Median(name, unit string) (float64, bool) {
	st, ok := s.Stat(name, unit)
	return st.Median, ok
}

func median(vs []float64) float64 {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

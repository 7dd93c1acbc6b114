package benchtable

import (
	"strconv"
	"strings"
	"time"
)

// Invocation is one go test command of the plan, and what came of it.
type Invocation struct {
	Func      string // the benchmark function it runs: "BenchmarkMapInts"
	Benchtime string // -benchtime
	Count     int    // -count

	Waited    time.Duration // for the CPUs to be idle, before it started
	IdleLoad  float64       // other processes' load when it started; < 0 if unknown
	Duration  time.Duration
	OtherLoad float64 // average CPUs busy with other processes meanwhile; < 0 if unknown
	Output    string  // standard output and error
	Err       error
}

// Args returns the go command's arguments.
func (inv *Invocation) Args() []string {
	return []string{"test", "-run", "^$", "-bench", "^" + inv.Func + "$", "-benchmem",
		"-count", strconv.Itoa(inv.Count), "-benchtime", inv.Benchtime, "-timeout", "30m", "."}
}

// Command returns the go test command as a shell would run it, from the
// bench directory.
func (inv *Invocation) Command() string {
	var b strings.Builder
	b.WriteString("go")
	for _, a := range inv.Args() {
		b.WriteByte(' ')
		if strings.ContainsAny(a, "^$*|()[] ") {
			b.WriteString("'" + a + "'")
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// Plan returns the go test invocations that produce the table, each with a
// -benchtime that keeps the whole run within a few minutes on two cores.
// count is the -count of every benchmark but the deadlock probes, which run
// once (a deadlocked probe costs its full timeout), and the longest cluster
// benchmarks, which run at most 3 times (Map, CPU) or twice (Put of 256
// MiB). quick runs every benchmark once, for trying the tool itself.
func Plan(count int, quick bool) []*Invocation {
	plan := []*Invocation{
		{Func: "BenchmarkMapInts", Benchtime: "1s", Count: count},
		{Func: "BenchmarkSubmitGet", Benchtime: "2x", Count: count},
		{Func: "BenchmarkCPUBound", Benchtime: "10x", Count: count},
		{Func: "BenchmarkNested", Benchtime: "1x", Count: count},
		{Func: "BenchmarkNestedSharedPool", Benchtime: "1x", Count: 1},
		{Func: "BenchmarkStream", Benchtime: "3x", Count: count},
		{Func: "BenchmarkProgress", Benchtime: "20x", Count: count},
		// Each run of a cluster benchmark starts a cluster of 2 worker
		// processes for its cluster row: the long ones run fewer times.
		{Func: "BenchmarkClusterRoundTrip", Benchtime: "3000x", Count: count},
		{Func: "BenchmarkClusterSubmit", Benchtime: "5x", Count: count},
		{Func: "BenchmarkClusterMap", Benchtime: "3x", Count: min(count, 3)},
		{Func: "BenchmarkClusterCPU", Benchtime: "3x", Count: min(count, 3)},
		{Func: "BenchmarkClusterPut", Benchtime: "1x", Count: min(count, 2)},
	}
	if quick {
		for _, inv := range plan {
			inv.Benchtime, inv.Count = "1x", 1
		}
	}
	return plan
}

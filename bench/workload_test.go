package bench

import (
	"context"
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// procs is the parallelism every peer is given: the default of shoal, conc
// and errgroup-with-a-limit alike.
var procs = runtime.GOMAXPROCS(0)

// sink keeps results alive so that the compiler cannot drop the work.
var sink atomic.Uint64

func keep(v float64) { sink.Add(math.Float64bits(v)) }

// sumFloats adds n pseudo-random floats in [0, 1) drawn from a xorshift64
// generator seeded with seed. Each addition depends on the previous one, so
// it is real CPU work that the compiler can neither elide nor vectorize.
//
// It is never inlined, so that every caller — each library's parallel run
// and the sequential loop they are compared with — runs the same machine
// code: inlined, each caller would get its own copy of the loop, placed
// (and so aligned) differently in memory.
//
//go:noinline
func sumFloats(seed uint64, n int) float64 {
	x := seed*0x9E3779B97F4A7C15 | 1
	var s float64
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		s += float64(x>>11) * 0x1p-53
	}
	return s
}

var (
	calibrateOnce sync.Once
	itersPerMs    int
)

// spinIters returns how many sumFloats steps take about d on this machine,
// measured once per process (the fastest of several runs, as the least
// disturbed by other load).
func spinIters(d time.Duration) int {
	calibrateOnce.Do(func() {
		const n = 1 << 20
		best := time.Duration(math.MaxInt64)
		for i := range 7 {
			start := time.Now()
			keep(sumFloats(uint64(i), n))
			best = min(best, time.Since(start))
		}
		itersPerMs = max(1, int(float64(n)*float64(time.Millisecond)/float64(best)))
	})
	return max(1, int(float64(itersPerMs)*float64(d)/float64(time.Millisecond)))
}

// gauge tracks how many user functions run at once, and the most seen.
type gauge struct {
	cur, peak atomic.Int64
}

func (g *gauge) enter() {
	n := g.cur.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.cur.Add(-1) }

// ints returns 0, 1, ..., n-1.
func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// inc is the cheapest possible item function in shoal's signature.
func inc(_ context.Context, x int) (int, error) { return x + 1, nil }

// heapObjects reads the bytes of live and not-yet-swept heap objects, the
// figure that runtime.MemStats calls HeapAlloc, without stopping the world.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// allocCounter counts heap allocations (tiny ones included, as in
// allocs/op) between two points, for metrics per item rather than per op.
type allocCounter struct{ start uint64 }

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

func startAllocs() allocCounter { return allocCounter{start: mallocs()} }

func (a allocCounter) since() uint64 { return mallocs() - a.start }

// loopPerItem times round with b.Loop and reports it per item, as
// reportPerItem does, after one untimed round: by then the heap has grown to
// the size the rounds need and a pool's goroutines have run, so a benchmark
// of a few long iterations measures rounds, not the process warming up.
func loopPerItem(b *testing.B, items int, unit string, round func()) {
	b.Helper()
	round()
	a := startAllocs()
	for b.Loop() {
		round()
	}
	reportPerItem(b, items, a, unit)
}

// reportPerItem reports ns/item and allocs/item for a benchmark whose every
// op processed items items. It must be called right after the b.Loop loop.
func reportPerItem(b *testing.B, items int, a allocCounter, unit string) {
	b.Helper()
	total := float64(b.N) * float64(items)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/"+unit)
	b.ReportMetric(float64(a.since())/total, "allocs/"+unit)
}

package bench

import (
	"testing"
	"time"
)

// paired runs base and subject one after the other in every iteration of b,
// alternating which goes first, and times only subject as the benchmark's
// ns/op. It returns the total time each took, so that a ratio between them
// comes from runs taken side by side, under the same load.
func paired(b *testing.B, base, subject func()) (tbase, tsubject time.Duration) {
	b.Helper()
	i := 0
	for b.Loop() {
		runBase := func() {
			b.StopTimer()
			start := time.Now()
			base()
			tbase += time.Since(start)
			b.StartTimer()
		}
		if i%2 == 0 {
			runBase()
		}
		start := time.Now()
		subject()
		tsubject += time.Since(start)
		if i%2 == 1 {
			runBase()
		}
		i++
	}
	return tbase, tsubject
}

// reportSpeedup runs seq and par with paired and reports speedup (the
// sequential time over the parallel time) and seq-ns/op, the sequential
// time per op.
func reportSpeedup(b *testing.B, seq, par func()) {
	b.Helper()
	tseq, tpar := paired(b, seq, par)
	b.ReportMetric(float64(tseq.Nanoseconds())/float64(b.N), "seq-ns/op")
	b.ReportMetric(float64(tseq)/float64(tpar), "speedup")
}

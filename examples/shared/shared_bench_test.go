package shared_test

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/shared"
)

// defaultData generates the default dataset: 50,000,000 values, 400 MB.
func defaultData(b *testing.B) (shared.Config, []float64) {
	b.Helper()
	cfg, err := shared.ConfigFor("default")
	if err != nil {
		b.Fatal(err)
	}
	d, err := shared.Generate(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return cfg, d
}

// BenchmarkPeakMemory generates the default dataset and runs the 16
// statistics on a pool, AtOnce at a time, as Run does, while a goroutine
// samples the process's memory every millisecond. It reports the peaks
// over the dataset's size (the target on the pool: ≤ 1.3):
//
//   - heap/dataset: the heap's objects, live or not yet swept;
//   - held/dataset: all memory the Go runtime holds from the OS and has
//     not returned (heap, stacks, metadata), an upper bound of its share
//     of the resident set;
//   - rss/dataset: the process's resident-set high-water mark (VmHWM),
//     reset before each run, where Linux allows it.
func BenchmarkPeakMemory(b *testing.B) {
	cfg, err := shared.ConfigFor("default")
	if err != nil {
		b.Fatal(err)
	}
	pool := shoal.NewPool()
	defer pool.Close()
	var heap, held, rss uint64
	rssOK := true
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory() // return the last iteration's dataset
		rssOK = rssOK && resetRSSPeak()
		s := startSampler(time.Millisecond)
		b.StartTimer()

		d, err := shared.Generate(b.Context(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := shared.RunData(b.Context(), pool, d, shared.Stats()); err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		h, k := s.stop()
		heap, held = max(heap, h), max(held, k)
		if r, ok := rssPeak(); ok && rssOK {
			rss = max(rss, r)
		} else {
			rssOK = false
		}
		runtime.KeepAlive(d)
		b.StartTimer()
	}
	size := float64(cfg.Bytes())
	b.ReportMetric(size/1e6, "dataset-MB")
	b.ReportMetric(float64(heap)/size, "heap/dataset")
	b.ReportMetric(float64(held)/size, "held/dataset")
	if rssOK {
		b.ReportMetric(float64(rss)/size, "rss/dataset")
	}
	if r := float64(held) / size; r > 1.3 {
		b.Errorf("the runtime held %.2f× the dataset at its peak, want ≤ 1.3×", r)
	}
}

// BenchmarkSequential computes the 16 statistics of the default dataset
// one after the other (the dataset is generated before timing).
func BenchmarkSequential(b *testing.B) {
	_, d := defaultData(b)
	for b.Loop() {
		if _, err := shared.SequentialData(b.Context(), d, shared.Stats()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPool computes them on a pool of GOMAXPROCS workers, AtOnce at
// a time, with the dataset put once.
func BenchmarkPool(b *testing.B) {
	_, d := defaultData(b)
	pool := shoal.NewPool()
	defer pool.Close()
	for b.Loop() {
		if _, err := shared.RunData(b.Context(), pool, d, shared.Stats()); err != nil {
			b.Fatal(err)
		}
	}
}

// sampler records the peaks of the heap's objects and of the memory the
// runtime holds, from a goroutine it owns until stop.
type sampler struct {
	quit       chan struct{}
	done       chan struct{}
	heap, held uint64
}

var sampleNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
}

func startSampler(every time.Duration) *sampler {
	s := &sampler{quit: make(chan struct{}), done: make(chan struct{})}
	samples := make([]metrics.Sample, len(sampleNames))
	for i, n := range sampleNames {
		samples[i].Name = n
	}
	read := func() {
		metrics.Read(samples)
		s.heap = max(s.heap, samples[0].Value.Uint64())
		s.held = max(s.held, samples[1].Value.Uint64()-samples[2].Value.Uint64())
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			read()
			select {
			case <-s.quit:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks.
func (s *sampler) stop() (heap, held uint64) {
	close(s.quit)
	<-s.done
	return s.heap, s.held
}

// resetRSSPeak resets the process's VmHWM (Linux 4.0 and later), and
// reports whether it could.
func resetRSSPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// rssPeak returns the process's VmHWM in bytes.
func rssPeak() (uint64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 3 && string(f[0]) == "VmHWM:" && string(f[2]) == "kB" {
			kb, err := strconv.ParseUint(string(f[1]), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

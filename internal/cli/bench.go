package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
	"github.com/shoal-go/shoal/cluster"
)

// shoal bench measures shoal on this machine, in this process: the local
// engine's targets of the project's issues, and with --cluster a cluster's
// round trip. It is a quick check of a machine; bench/ (its own module)
// compares shoal with its peers and writes BENCHMARKS.md.

// benchCase is one benchmark of shoal bench.
type benchCase struct {
	name, what string
	target     string
	// run measures once and returns the figure and whether it meets the
	// target. cl is the cluster of --cluster, or nil.
	run     func(ctx context.Context, o benchOptions, cl *cluster.Cluster) (measured float64, met bool, err error)
	unit    string
	cluster bool // needs --cluster
}

type benchOptions struct {
	count   int
	quick   bool
	cluster int
}

// scale returns n, or a tenth of it with --quick.
func (o benchOptions) scale(n int) int {
	if o.quick {
		return max(1, n/10)
	}
	return n
}

var benchCases = []benchCase{
	{name: "map", what: "Map over 1,000,000 ints (x+1)", target: "≤ 10 ns/item", unit: "ns/item", run: benchMap},
	{name: "submit", what: "Submit then Get of 1,000,000 tiny tasks", target: "≤ 250 ns/task", unit: "ns/task", run: benchSubmit},
	{name: "cpu", what: "8 items of 10M-float loops, speedup over Workers(1)", target: "≥ 0.95 × cores", unit: "×", run: benchCPU},
	{name: "nested", what: "20 × 200 nested items of 1 ms, speedup over Workers(1)", target: "≥ 0.92 × cores", unit: "×", run: benchNested},
	{name: "stream", what: "Stream of 10,000,000 items, peak heap", target: "< 64 MiB", unit: "MiB", run: benchStream},
	{name: "arraymean", what: "array: RandomNormal 8000×8000 (1000×1000 chunks).Mean(0), speedup over Workers(1)", target: "≥ 0.95 × cores", unit: "×", run: benchArrayMean},
	{name: "roundtrip", what: "cluster Submit+Get round trip, median", target: "≤ 200 µs", unit: "µs", run: benchRoundTrip, cluster: true},
}

func newBenchCommand() *cobra.Command {
	var o benchOptions
	var names []string
	for _, c := range benchCases {
		names = append(names, c.name)
	}
	cmd := &cobra.Command{
		Use:   "bench [BENCHMARK...]",
		Short: "Measure shoal on this machine and print a table",
		Long: `bench runs shoal's benchmarks in this process and prints each one's median
over --count runs next to its target: ` + strings.Join(names, ", ") + `.
roundtrip needs --cluster N. Parallel speedups mean little on a busy machine.
For shoal against errgroup, conc, pond and ants, see bench/ in the repository.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var run []benchCase
			for _, a := range args {
				i := slices.IndexFunc(benchCases, func(c benchCase) bool { return c.name == a })
				if i < 0 {
					return usagef(cmd, "unknown benchmark %q: want %s", a, strings.Join(names, ", "))
				}
				run = append(run, benchCases[i])
			}
			if len(run) == 0 {
				for _, c := range benchCases {
					if !c.cluster || o.cluster > 0 {
						run = append(run, c)
					}
				}
			}
			switch {
			case o.count < 1:
				return usagef(cmd, "--count must be at least 1, not %d", o.count)
			case o.cluster < 0 || o.cluster > maxWorkers:
				return usagef(cmd, "--cluster must be between 0 and %d, not %d", maxWorkers, o.cluster)
			}
			return runBench(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, run)
		},
	}
	cmd.Flags().IntVar(&o.count, "count", 3, "runs of each benchmark; the table shows the median")
	cmd.Flags().BoolVar(&o.quick, "quick", false, "a tenth of each size: a quick try, figures mean less")
	cmd.Flags().IntVar(&o.cluster, "cluster", 0, "also run the cluster benchmarks on an embedded cluster of N worker processes")
	return cmd
}

func runBench(ctx context.Context, w, errw io.Writer, o benchOptions, cases []benchCase) error {
	var cl *cluster.Cluster
	for _, c := range cases {
		if c.cluster && o.cluster == 0 {
			return fmt.Errorf("benchmark %s needs --cluster N", c.name)
		}
	}
	if o.cluster > 0 && slices.ContainsFunc(cases, func(c benchCase) bool { return c.cluster }) {
		var err error
		cl, err = cluster.Start(ctx, cluster.Workers(o.cluster), cluster.Output(errw))
		if err != nil {
			if ctx.Err() != nil {
				return interrupted(ctx, "bench")
			}
			return err
		}
		defer cl.Close()
	}
	fmt.Fprintf(w, "shoal bench: %d cores (GOMAXPROCS), median of %d runs each\n\n", runtime.GOMAXPROCS(0), o.count)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "benchmark\twhat\tmedian\ttarget\t\n")
	for _, c := range cases {
		figures := make([]float64, 0, o.count)
		met := 0
		for range o.count {
			v, ok, err := c.run(ctx, o, cl)
			if ctx.Err() != nil {
				return interrupted(ctx, "bench")
			}
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			figures = append(figures, v)
			if ok {
				met++
			}
		}
		slices.Sort(figures)
		verdict := "met"
		if met*2 <= len(figures) {
			verdict = "missed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3g %s\t%s\t%s (%d of %d runs)\n", c.name, c.what, figures[len(figures)/2], c.unit, c.target, verdict, met, len(figures))
	}
	return tw.Flush()
}

func inc(_ context.Context, x int) (int, error) { return x + 1, nil }

func benchMap(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	n := o.scale(1_000_000)
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	p := shoal.NewPool()
	defer p.Close()
	start := time.Now()
	out, err := shoal.Map(ctx, p, in, inc)
	ns := float64(time.Since(start).Nanoseconds()) / float64(n)
	if err == nil && out[n-1] != n {
		err = fmt.Errorf("map returned %d for the last item, want %d", out[n-1], n)
	}
	return ns, ns <= 10, err
}

func benchSubmit(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	n := o.scale(1_000_000)
	p := shoal.NewPool()
	defer p.Close()
	futs := make([]*shoal.Future[int], n)
	start := time.Now()
	for i := range futs {
		futs[i] = shoal.Submit(ctx, p, inc, i)
	}
	for i, f := range futs {
		if v, err := f.Get(ctx); err != nil || v != i+1 {
			return 0, false, fmt.Errorf("task %d: %d, %v", i, v, err)
		}
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(n)
	return ns, ns <= 250, nil
}

// poolSpeedup runs job on Workers(1) and on a pool of all cores, and returns
// how many times faster the second was.
func poolSpeedup(ctx context.Context, job func(context.Context, *shoal.Pool) error) (float64, error) {
	var took [2]time.Duration
	for i, n := range []int{1, runtime.GOMAXPROCS(0)} {
		p := shoal.NewPool(shoal.Workers(n))
		start := time.Now()
		err := job(ctx, p)
		took[i] = time.Since(start)
		p.Close()
		if err != nil {
			return 0, err
		}
	}
	return took[0].Seconds() / took[1].Seconds(), nil
}

// spinFloats is CPU work: a loop over n pseudo-random floats.
func spinFloats(seed, n int) float64 {
	x, s := uint64(seed)*0x9e3779b97f4a7c15+1, 0.0
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		s += math.Sqrt(float64(x>>11) / (1 << 53))
	}
	return s
}

func benchCPU(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	n := o.scale(10_000_000)
	items := []int{1, 2, 3, 4, 5, 6, 7, 8}
	s, err := poolSpeedup(ctx, func(ctx context.Context, p *shoal.Pool) error {
		_, err := shoal.Map(ctx, p, items, func(_ context.Context, seed int) (float64, error) { return spinFloats(seed, n), nil })
		return err
	})
	return s, s >= 0.95*float64(runtime.GOMAXPROCS(0)), err
}

func benchNested(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	outer, inner := make([]int, 20), make([]int, o.scale(200))
	// about a millisecond of CPU per inner item on a 2020s core
	const perItem = 250_000
	var ran atomic.Int64
	s, err := poolSpeedup(ctx, func(ctx context.Context, p *shoal.Pool) error {
		return shoal.ForEach(ctx, p, outer, func(ctx context.Context, _ int) error {
			return shoal.ForEach(ctx, shoal.From(ctx), inner, func(context.Context, int) error {
				if spinFloats(1, perItem) < 0 {
					return fmt.Errorf("negative sum")
				}
				ran.Add(1)
				return nil
			})
		})
	})
	if want := int64(2 * len(outer) * len(inner)); err == nil && ran.Load() != want {
		err = fmt.Errorf("%d inner items ran, want %d", ran.Load(), want)
	}
	return s, s >= 0.92*float64(runtime.GOMAXPROCS(0)), err
}

func benchStream(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	n := o.scale(10_000_000)
	p := shoal.NewPool()
	defer p.Close()
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // samples the heap while the stream runs
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	seq := func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
	count := 0
	var err error
	for v, e := range shoal.Stream(ctx, p, seq, inc) {
		if e != nil {
			err = e
			break
		}
		count++
		if v != count {
			err = fmt.Errorf("item %d: got %d", count-1, v)
			break
		}
	}
	close(stop)
	<-sampled
	if err == nil && count != n {
		err = fmt.Errorf("stream yielded %d items, want %d", count, n)
	}
	mib := float64(peak.Load()) / (1 << 20)
	return mib, mib < 64, err
}

func benchArrayMean(ctx context.Context, o benchOptions, _ *cluster.Cluster) (float64, bool, error) {
	n := 8000
	if o.quick {
		n = 2000
	}
	m := array.RandomNormal(1, 0, 1, []int{n, n}, []int{1000, 1000}).Mean(0)
	var means [2]float64
	k := 0
	s, err := poolSpeedup(ctx, func(ctx context.Context, p *shoal.Pool) error {
		res, err := m.Compute(ctx, p)
		if err == nil {
			means[k] = res.Data[0]
			k++
		}
		return err
	})
	if err == nil && means[0] != means[1] {
		err = fmt.Errorf("the mean of column 0 differs between Workers(1) and the pool: %v, %v", means[0], means[1])
	}
	return s, s >= 0.95*float64(runtime.GOMAXPROCS(0)), err
}

func benchRoundTrip(ctx context.Context, o benchOptions, cl *cluster.Cluster) (float64, bool, error) {
	n := o.scale(2000)
	took := make([]time.Duration, n)
	for i := range took {
		start := time.Now()
		v, err := shoal.Submit(ctx, cl, inc, i).Get(ctx)
		took[i] = time.Since(start)
		if err != nil || v != i+1 {
			return 0, false, fmt.Errorf("task %d: %d, %v", i, v, err)
		}
	}
	slices.Sort(took)
	us := float64(took[n/2].Nanoseconds()) / 1e3
	return us, us <= 200, nil
}

// inc is registered for the cluster benchmark.
func init() { shoal.Register(inc, shoal.Name("shoal.bench.inc")) }

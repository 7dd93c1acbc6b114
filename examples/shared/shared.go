package shared

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// AtOnce is how many statistics Run and RunData compute at once: the seed
// question's "say 5 at a time", as shoal.Limit(AtOnce).
const AtOnce = 5

// Job is the argument of Apply: the shared data and the name of the
// statistic to compute.
type Job struct {
	Data shoal.Ref[[]float64]
	Stat Stat
}

// StatValue is one statistic's result.
type StatValue struct {
	Stat  Stat
	Value float64
}

// Result is the answer: one value per statistic, in the order asked for.
// Run and Sequential return equal Results for equal Configs.
type Result struct {
	N      int // how many values the data held
	Values []StatValue
}

// Get returns the value of statistic s, and whether r holds it.
func (r Result) Get(s Stat) (float64, bool) {
	for _, v := range r.Values {
		if v.Stat == s {
			return v.Value, true
		}
	}
	return 0, false
}

// String returns the answer on one line, as
// "16 statistics of 50000000 values: sum=20001.3 mean=0.000400026 ...".
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d statistics of %d values:", len(r.Values), r.N)
	for _, v := range r.Values {
		fmt.Fprintf(&b, " %s=%.6g", v.Stat, v.Value)
	}
	return b.String()
}

func init() {
	shoal.Register(Apply, shoal.Name("shared.Apply"))
}

// taskHook, when set (by tests), is called by Apply with the data it got;
// Apply calls the function it returns when it is done.
var taskHook atomic.Pointer[func(Stat, []float64) func()]

// Apply is one task: it gets the shared data through j.Data (on a pool,
// the caller's slice itself) and computes statistic j.Stat of it. It fails
// as Compute does, and with Ref.Get's error if the data cannot be had.
func Apply(ctx context.Context, j Job) (StatValue, error) {
	d, err := j.Data.Get(ctx)
	if err != nil {
		return StatValue{}, err
	}
	if h := taskHook.Load(); h != nil {
		defer (*h)(j.Stat, d)()
	}
	v, err := Compute(ctx, j.Stat, d)
	if err != nil {
		return StatValue{}, err
	}
	return StatValue{Stat: j.Stat, Value: v}, nil
}

// Run generates cfg's dataset and computes every statistic of Stats() on
// ex with RunData.
//
// Run blocks until all the work has stopped. If ctx is done first it
// returns ctx's error within a fraction of a millisecond. An invalid cfg
// returns an error wrapping ErrInvalidConfig, an invalid option one
// wrapping shoal.ErrInvalidOption. A nil ex panics.
func Run(ctx context.Context, ex shoal.Executor, cfg Config, opts ...shoal.Option) (Result, error) {
	d, err := Generate(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	return RunData(ctx, ex, d, Stats(), opts...)
}

// RunData puts d once with shoal.Put and computes the statistics stats of
// it with a shoal.Map of Apply over their names, with shoal.Limit(AtOnce),
// shoal.Progress("shared") and then opts (a later Limit in opts wins). On a
// pool nothing of d is copied. It releases the Ref before returning.
//
// RunData blocks until all the work has stopped; d must not be modified
// until it returns. It fails with ErrNoData for empty d, with an error
// wrapping ErrUnknownStat for an unknown statistic, and with ctx's error if
// ctx is done first.
func RunData(ctx context.Context, ex shoal.Executor, d []float64, stats []Stat, opts ...shoal.Option) (Result, error) {
	if len(d) == 0 {
		return Result{}, ErrNoData
	}
	ref, err := shoal.Put(ctx, ex, d)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = ref.Release(context.WithoutCancel(ctx)) }()
	jobs := make([]Job, len(stats))
	for i, s := range stats {
		jobs[i] = Job{Data: ref, Stat: s}
	}
	all := append([]shoal.Option{shoal.Limit(AtOnce), shoal.Progress("shared")}, opts...)
	vs, err := shoal.Map(ctx, ex, jobs, Apply, all...)
	if err != nil {
		return Result{}, err
	}
	return Result{N: len(d), Values: vs}, nil
}

// Sequential generates cfg's dataset and computes every statistic of
// Stats() with SequentialData. It fails as Run does.
func Sequential(ctx context.Context, cfg Config) (Result, error) {
	d, err := Generate(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	return SequentialData(ctx, d, Stats())
}

// SequentialData computes the statistics stats of d one after the other on
// the calling goroutine, with the code Apply runs, drawing a progress bar,
// "sequential". It fails as RunData does.
func SequentialData(ctx context.Context, d []float64, stats []Stat) (Result, error) {
	if len(d) == 0 {
		return Result{}, ErrNoData
	}
	bar := progress.Start("sequential", len(stats), nil)
	defer bar.Finish()
	vs := make([]StatValue, 0, len(stats))
	for _, s := range stats {
		v, err := Compute(ctx, s, d)
		if err != nil {
			return Result{}, err
		}
		vs = append(vs, StatValue{Stat: s, Value: v})
		bar.Add(1)
	}
	return Result{N: len(d), Values: vs}, nil
}

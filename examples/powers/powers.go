package powers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// Moment is the answer for one power.
type Moment struct {
	Power  int
	Mean   float64 // the mean of x^Power over the N values
	Theory float64 // E[x^Power] for a standard normal x
}

// Result is the answer: one Moment per power, in the Config's order.
// Run and Sequential return identical Results for equal Configs.
type Result struct {
	N       int
	Moments []Moment
}

// String returns the answer on one line, each mean followed by its
// theoretical value, as
// "10000000 normals: mean x^1 = -0.000118 (0), x^2 = 1.00016 (1), ...".
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d normals: mean", r.N)
	for i, m := range r.Moments {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " x^%d = %.6g (%g)", m.Power, m.Mean, m.Theory)
	}
	return b.String()
}

// Theory returns E[x^p] for a standard normal x: 0 for odd p, and the
// double factorial (p-1)!! = 1·3·5···(p-1) for even p (1 for p = 0).
func Theory(p int) float64 {
	if p%2 == 1 {
		return 0
	}
	m := 1.0
	for k := p - 1; k > 1; k -= 2 {
		m *= float64(k)
	}
	return m
}

// ChunkJob is the argument of SumChunk: one chunk of a Config's values.
type ChunkJob struct {
	Seed   uint64
	Index  int   // the chunk's position: its generator is seeded (Seed, Index)
	Len    int   // how many values it holds
	Powers []int // the exponents to sum
}

// Partial is what SumChunk returns: Sums[k] is the sum of x^Powers[k] over
// the chunk's values, added in a fixed order (see sumPow).
type Partial struct {
	Sums []float64
}

func init() {
	shoal.Register(SumChunk, shoal.Name("powers.SumChunk"))
}

// ctxEvery is how many values SumChunk generates between looks at its
// context: well under 100 µs of work.
const ctxEvery = 4096

// SumChunk generates chunk j's values and sums each power of them. If ctx
// is done first it returns ctx's error within 100 µs or so. A negative
// j.Len or a power outside 0 to MaxPower is an error wrapping
// ErrInvalidConfig.
func SumChunk(ctx context.Context, j ChunkJob) (Partial, error) {
	if j.Len < 0 {
		return Partial{}, fmt.Errorf("%w: chunk of %d values", ErrInvalidConfig, j.Len)
	}
	for _, p := range j.Powers {
		if p < 0 || p > MaxPower {
			return Partial{}, fmt.Errorf("%w: power %d: want 0 to %d", ErrInvalidConfig, p, MaxPower)
		}
	}
	r := rand.New(rand.NewPCG(j.Seed, uint64(j.Index)))
	sums := make([]float64, len(j.Powers))
	xs := make([]float64, min(ctxEvery, j.Len))
	for done := 0; done < j.Len; done += len(xs) {
		if err := ctx.Err(); err != nil {
			return Partial{}, err
		}
		xs = xs[:min(len(xs), j.Len-done)]
		for i := range xs {
			xs[i] = r.NormFloat64()
		}
		for k, p := range j.Powers {
			sums[k] += sumPow(xs, p)
		}
	}
	return Partial{Sums: sums}, nil
}

// sumPow returns the sum of x^p over xs. It runs one power at a time over
// a block, raising four values at once by repeated squaring, so that the
// four chains of multiplications overlap instead of waiting on each other,
// and adds into four sums. It adds in a fixed order, the same on every run.
func sumPow(xs []float64, p int) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		a, b, c, d := xs[i], xs[i+1], xs[i+2], xs[i+3]
		ra, rb, rc, rd := 1.0, 1.0, 1.0, 1.0
		for q := p; q > 0; q >>= 1 {
			if q&1 == 1 {
				ra *= a
				rb *= b
				rc *= c
				rd *= d
			}
			a *= a
			b *= b
			c *= c
			d *= d
		}
		s0 += ra
		s1 += rb
		s2 += rc
		s3 += rd
	}
	for ; i < len(xs); i++ {
		s0 += pow(xs[i], p)
	}
	return (s0 + s1) + (s2 + s3)
}

// pow returns x^p by repeated squaring, as sumPow does.
func pow(x float64, p int) float64 {
	r := 1.0
	for ; p > 0; p >>= 1 {
		if p&1 == 1 {
			r *= x
		}
		x *= x
	}
	return r
}

// jobs returns cfg's chunks, in order.
func jobs(cfg Config) []ChunkJob {
	js := make([]ChunkJob, cfg.chunks())
	for i := range js {
		js[i] = ChunkJob{Seed: cfg.Seed, Index: i, Len: min(cfg.Chunk, cfg.N-i*cfg.Chunk), Powers: cfg.Powers}
	}
	return js
}

// Run computes the means of cfg's powers with a shoal.Map of SumChunk over
// cfg's chunks on ex, with shoal.Progress("powers") and then opts, and adds
// the partial sums in chunk order: its Result is identical to Sequential's.
//
// Run blocks until every chunk has stopped. If ctx is done first it
// returns ctx's error within a millisecond or so. An invalid cfg returns an
// error wrapping ErrInvalidConfig, an invalid option one wrapping
// shoal.ErrInvalidOption. A nil ex panics.
func Run(ctx context.Context, ex shoal.Executor, cfg Config, opts ...shoal.Option) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	all := append([]shoal.Option{shoal.Progress("powers")}, opts...)
	parts, err := shoal.Map(ctx, ex, jobs(cfg), SumChunk, all...)
	if err != nil {
		return Result{}, err
	}
	return combine(cfg, parts), nil
}

// Sequential computes the means of cfg's powers with a plain loop over
// cfg's chunks on the calling goroutine, drawing a progress bar,
// "sequential". If ctx is done first it returns ctx's error within 100 µs
// or so; an invalid cfg returns an error wrapping ErrInvalidConfig.
func Sequential(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	js := jobs(cfg)
	bar := progress.Start("sequential", len(js), nil)
	defer bar.Finish()
	parts := make([]Partial, 0, len(js))
	for _, j := range js {
		p, err := SumChunk(ctx, j)
		if err != nil {
			return Result{}, err
		}
		parts = append(parts, p)
		bar.Add(1)
	}
	return combine(cfg, parts), nil
}

// combine adds the partial sums in chunk order and divides by N.
func combine(cfg Config, parts []Partial) Result {
	res := Result{N: cfg.N, Moments: make([]Moment, len(cfg.Powers))}
	for k, p := range cfg.Powers {
		sum := 0.0
		for _, part := range parts {
			sum += part.Sums[k]
		}
		res.Moments[k] = Moment{Power: p, Mean: sum / float64(cfg.N), Theory: Theory(p)}
	}
	return res
}

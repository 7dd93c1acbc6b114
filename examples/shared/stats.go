package shared

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Stat names one of the statistics Apply computes. Tasks get the name, not
// the function: names are data, and travel to a cluster like any argument.
type Stat string

// The 16 statistics. Means and moments are population ones (divided by N);
// a statistic undefined for constant data (skewness, kurtosis, lag-1
// autocorrelation) is 0 there.
const (
	Sum            Stat = "sum"
	Mean           Stat = "mean"
	Variance       Stat = "variance"
	Skewness       Stat = "skewness"
	Kurtosis       Stat = "kurtosis" // excess kurtosis: 0 for normal data
	Min            Stat = "min"
	Max            Stat = "max"
	AboveMean      Stat = "above-mean"      // how many values exceed the mean
	L1Norm         Stat = "l1-norm"         // Σ|x|
	L2Norm         Stat = "l2-norm"         // sqrt(Σx²)
	TotalVariation Stat = "total-variation" // Σ|x[i] - x[i-1]|
	ZeroCrossings  Stat = "zero-crossings"  // how many neighbours differ in sign
	LongestRise    Stat = "longest-rise"    // the most consecutive increases
	MaxDrawdown    Stat = "max-drawdown"    // of the cumulative sums, from a running peak
	MaxSubarray    Stat = "max-subarray"    // the largest sum of consecutive values
	Autocorr1      Stat = "autocorr-1"      // lag-1 autocorrelation
)

var allStats = []Stat{
	Sum, Mean, Variance, Skewness, Kurtosis, Min, Max, AboveMean,
	L1Norm, L2Norm, TotalVariation, ZeroCrossings, LongestRise, MaxDrawdown, MaxSubarray, Autocorr1,
}

// Stats returns the 16 statistics, in the order Run reports them.
func Stats() []Stat { return slices.Clone(allStats) }

// ErrUnknownStat is returned, wrapped, for a Stat that is not one of
// Stats().
var ErrUnknownStat = errors.New("shared: unknown statistic")

// ErrNoData is returned by Compute, RunData and SequentialData for empty
// data.
var ErrNoData = errors.New("shared: no data")

// block is how many values a statistic handles between looks at its
// context: a few tens of microseconds of work.
const block = 1 << 16

// blocks calls f on consecutive ranges [lo, hi) of n values, looking at
// ctx before each.
func blocks(ctx context.Context, n int, f func(lo, hi int)) error {
	for lo := 0; lo < n; lo += block {
		if err := ctx.Err(); err != nil {
			return err
		}
		f(lo, min(lo+block, n))
	}
	return nil
}

// Compute returns statistic s of d. It only reads d. It fails with an
// error wrapping ErrUnknownStat for an unknown s, with ErrNoData for empty
// d, and with ctx's error if ctx is done first (within a fraction of a
// millisecond).
func Compute(ctx context.Context, s Stat, d []float64) (float64, error) {
	if len(d) == 0 {
		return 0, ErrNoData
	}
	f, ok := statFuncs[s]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownStat, s)
	}
	return f(ctx, d)
}

type statFunc func(ctx context.Context, d []float64) (float64, error)

var statFuncs = map[Stat]statFunc{
	Sum:            sum,
	Mean:           mean,
	Variance:       variance,
	Skewness:       skewness,
	Kurtosis:       kurtosis,
	Min:            minimum,
	Max:            maximum,
	AboveMean:      aboveMean,
	L1Norm:         l1Norm,
	L2Norm:         l2Norm,
	TotalVariation: totalVariation,
	ZeroCrossings:  zeroCrossings,
	LongestRise:    longestRise,
	MaxDrawdown:    maxDrawdown,
	MaxSubarray:    maxSubarray,
	Autocorr1:      autocorr1,
}

func sum(ctx context.Context, d []float64) (float64, error) {
	total := 0.0
	err := blocks(ctx, len(d), func(lo, hi int) {
		s := 0.0
		for _, x := range d[lo:hi] {
			s += x
		}
		total += s
	})
	return total, err
}

func mean(ctx context.Context, d []float64) (float64, error) {
	s, err := sum(ctx, d)
	return s / float64(len(d)), err
}

// centralMoments returns the mean and the 2nd, 3rd and 4th central
// moments of d, in two passes.
func centralMoments(ctx context.Context, d []float64) (m, m2, m3, m4 float64, err error) {
	if m, err = mean(ctx, d); err != nil {
		return
	}
	err = blocks(ctx, len(d), func(lo, hi int) {
		var s2, s3, s4 float64
		for _, x := range d[lo:hi] {
			dx := x - m
			dx2 := dx * dx
			s2 += dx2
			s3 += dx2 * dx
			s4 += dx2 * dx2
		}
		m2 += s2
		m3 += s3
		m4 += s4
	})
	n := float64(len(d))
	return m, m2 / n, m3 / n, m4 / n, err
}

func variance(ctx context.Context, d []float64) (float64, error) {
	m, err := mean(ctx, d)
	if err != nil {
		return 0, err
	}
	total := 0.0
	err = blocks(ctx, len(d), func(lo, hi int) {
		s := 0.0
		for _, x := range d[lo:hi] {
			s += (x - m) * (x - m)
		}
		total += s
	})
	return total / float64(len(d)), err
}

func skewness(ctx context.Context, d []float64) (float64, error) {
	_, m2, m3, _, err := centralMoments(ctx, d)
	if err != nil || m2 == 0 {
		return 0, err
	}
	return m3 / math.Pow(m2, 1.5), nil
}

func kurtosis(ctx context.Context, d []float64) (float64, error) {
	_, m2, _, m4, err := centralMoments(ctx, d)
	if err != nil || m2 == 0 {
		return 0, err
	}
	return m4/(m2*m2) - 3, nil
}

func minimum(ctx context.Context, d []float64) (float64, error) {
	lowest := d[0]
	err := blocks(ctx, len(d), func(lo, hi int) {
		for _, x := range d[lo:hi] {
			lowest = min(lowest, x)
		}
	})
	return lowest, err
}

func maximum(ctx context.Context, d []float64) (float64, error) {
	highest := d[0]
	err := blocks(ctx, len(d), func(lo, hi int) {
		for _, x := range d[lo:hi] {
			highest = max(highest, x)
		}
	})
	return highest, err
}

func aboveMean(ctx context.Context, d []float64) (float64, error) {
	m, err := mean(ctx, d)
	if err != nil {
		return 0, err
	}
	count := 0
	err = blocks(ctx, len(d), func(lo, hi int) {
		c := 0
		for _, x := range d[lo:hi] {
			if x > m {
				c++
			}
		}
		count += c
	})
	return float64(count), err
}

func l1Norm(ctx context.Context, d []float64) (float64, error) {
	total := 0.0
	err := blocks(ctx, len(d), func(lo, hi int) {
		s := 0.0
		for _, x := range d[lo:hi] {
			s += math.Abs(x)
		}
		total += s
	})
	return total, err
}

func l2Norm(ctx context.Context, d []float64) (float64, error) {
	total := 0.0
	err := blocks(ctx, len(d), func(lo, hi int) {
		s := 0.0
		for _, x := range d[lo:hi] {
			s += x * x
		}
		total += s
	})
	return math.Sqrt(total), err
}

func totalVariation(ctx context.Context, d []float64) (float64, error) {
	total := 0.0
	err := blocks(ctx, len(d), func(lo, hi int) {
		s := 0.0
		for i := max(lo, 1); i < hi; i++ {
			s += math.Abs(d[i] - d[i-1])
		}
		total += s
	})
	return total, err
}

func zeroCrossings(ctx context.Context, d []float64) (float64, error) {
	count := 0
	err := blocks(ctx, len(d), func(lo, hi int) {
		c := 0
		for i := max(lo, 1); i < hi; i++ {
			if (d[i] < 0) != (d[i-1] < 0) {
				c++
			}
		}
		count += c
	})
	return float64(count), err
}

func longestRise(ctx context.Context, d []float64) (float64, error) {
	run, longest := 0, 0
	err := blocks(ctx, len(d), func(lo, hi int) {
		for i := max(lo, 1); i < hi; i++ {
			if d[i] > d[i-1] {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	})
	return float64(longest), err
}

// maxDrawdown treats d as the increments of a path starting at 0 and
// returns the largest fall of the path from its running peak.
func maxDrawdown(ctx context.Context, d []float64) (float64, error) {
	var path, peak, drawdown float64
	err := blocks(ctx, len(d), func(lo, hi int) {
		for _, x := range d[lo:hi] {
			path += x
			peak = max(peak, path)
			drawdown = max(drawdown, peak-path)
		}
	})
	return drawdown, err
}

// maxSubarray is Kadane's algorithm.
func maxSubarray(ctx context.Context, d []float64) (float64, error) {
	best, cur := d[0], 0.0
	err := blocks(ctx, len(d), func(lo, hi int) {
		for _, x := range d[lo:hi] {
			cur = max(x, cur+x)
			best = max(best, cur)
		}
	})
	return best, err
}

func autocorr1(ctx context.Context, d []float64) (float64, error) {
	m, err := mean(ctx, d)
	if err != nil {
		return 0, err
	}
	var num, den float64
	err = blocks(ctx, len(d), func(lo, hi int) {
		var sn, sd float64
		for i := lo; i < hi; i++ {
			dx := d[i] - m
			sd += dx * dx
			if i+1 < len(d) {
				sn += dx * (d[i+1] - m)
			}
		}
		num += sn
		den += sd
	})
	if err != nil || den == 0 {
		return 0, err
	}
	return num / den, nil
}

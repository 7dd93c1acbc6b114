package stocks

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/shoal-go/shoal"
)

// Calendar is the union of the dates of a set of series: the dates on
// which daily returns are aligned. Return t is the move from the
// calendar's date t to its date t+1.
type Calendar struct {
	First int32   // the first date, as days since 1970-01-01
	Index []int32 // Index[d-First] is date d's position in the calendar, or -1 if no series has d
	Len   int     // how many dates
}

// newCalendar returns the calendar of series. It costs O(total length of
// the series + days spanned).
func newCalendar(series []Series) Calendar {
	first, last := int32(math.MaxInt32), int32(math.MinInt32)
	for _, s := range series {
		if len(s.Dates) > 0 {
			first, last = min(first, s.Dates[0]), max(last, s.Dates[len(s.Dates)-1])
		}
	}
	if first > last {
		return Calendar{} // no dates at all
	}
	index := make([]int32, int(last-first)+1)
	for _, s := range series {
		for _, d := range s.Dates {
			index[d-first] = 1
		}
	}
	n := int32(0)
	for k, on := range index {
		if on != 0 {
			index[k], n = n, n+1
		} else {
			index[k] = -1
		}
	}
	return Calendar{First: first, Index: index, Len: int(n)}
}

// Loaded is what Correlate's second map shares with its tasks: the series
// loaded by the first map, and their calendar.
type Loaded struct {
	Series   []Series
	Calendar Calendar
}

// StandardiseJob is the argument of Standardise: the shared Loaded, and
// the series to standardise.
type StandardiseJob struct {
	Loaded shoal.Ref[*Loaded]
	Index  int // into Loaded.Series
}

// Row is one symbol's daily log returns on the calendar, standardised: a
// row of Returns.
type Row struct {
	// X holds the returns minus their mean, divided by their (population)
	// standard deviation, at the returns' positions on the calendar, and 0
	// where the symbol has no return. It is empty for a symbol left out:
	// one with fewer than two returns, or with returns that never change.
	X []float64
	// Lo and Hi bound the returns the symbol has: t in [Lo, Hi).
	// Lo == Hi for a symbol left out.
	Lo, Hi int32
	// Holes lists, in order, the t in [Lo, Hi) where the symbol has no
	// return.
	Holes []int32
	// Sum[t] is the sum of X before t, SumSq[t] that of the squares:
	// len(X)+1 values each, so that the sums over any span cost O(1).
	Sum, SumSq []float64
}

// Standardise computes one symbol's Row (the body of Correlate's second
// map): its daily log returns on the calendar — a return on each calendar
// date on which it has a close, as on the calendar's date before — then
// their mean and standard deviation, the standardised returns, and their
// running sums. It costs O(calendar length).
func Standardise(ctx context.Context, j StandardiseJob) (Row, error) {
	l, err := j.Loaded.Get(ctx)
	if err != nil {
		return Row{}, err
	}
	if j.Index < 0 || j.Index >= len(l.Series) {
		return Row{}, fmt.Errorf("stocks: series #%d of %d: out of range", j.Index, len(l.Series))
	}
	return standardise(l.Series[j.Index], &l.Calendar), nil
}

func standardise(s Series, cal *Calendar) Row {
	T := max(cal.Len-1, 0)
	if len(s.Dates) < 3 || T < 2 {
		return Row{}
	}
	// One allocation for X, Sum and SumSq.
	buf := make([]float64, 3*T+2)
	x, sum, sq := buf[:T:T], buf[T:2*T+1:2*T+1], buf[2*T+1:]
	has := make([]bool, T)
	lo, hi, n := T, 0, 0
	prev := cal.Index[s.Dates[0]-cal.First]
	for m := 1; m < len(s.Dates); m++ {
		t := cal.Index[s.Dates[m]-cal.First]
		if t == prev+1 { // no calendar date in between
			x[prev] = math.Log(s.Close[m] / s.Close[m-1])
			has[prev] = true
			lo, hi, n = min(lo, int(prev)), int(prev)+1, n+1
		}
		prev = t
	}
	if n < 2 {
		return Row{}
	}
	var total float64
	for t := lo; t < hi; t++ {
		total += x[t] // 0 where !has[t]
	}
	mean := total / float64(n)
	var ss float64
	for t := lo; t < hi; t++ {
		if has[t] {
			d := x[t] - mean
			ss += d * d
		}
	}
	sd := math.Sqrt(ss / float64(n))
	if !(sd > 0) {
		return Row{}
	}
	r := Row{X: x, Lo: int32(lo), Hi: int32(hi), Sum: sum, SumSq: sq}
	for t := lo; t < hi; t++ {
		if has[t] {
			x[t] = (x[t] - mean) / sd
		} else {
			r.Holes = append(r.Holes, int32(t))
		}
	}
	for t, v := range x {
		sum[t+1] = sum[t] + v
		sq[t+1] = sq[t] + v*v
	}
	return r
}

// Returns holds every symbol's standardised daily log returns on their
// common calendar: what Correlate computes once, in parallel, and shares,
// read-only, with the tasks correlating the pairs.
type Returns struct {
	Symbols []string // in the order of the files
	Len     int      // returns per row: the calendar's length minus one
	Rows    []Row    // Rows[i] is Symbols[i]'s
}

// corr returns the correlation of symbols i and j's returns on the dates
// both have, and how many there are; n is 0 when fewer than MinCommon, or
// when either symbol's returns do not vary on them.
//
// Both rows are standardised already, and hold 0 where a symbol has no
// return, so the sum of products over the overlap of their spans is one
// dot product. The sums and sums of squares over the common dates, which
// the Pearson formula needs since each row was standardised over all its
// own dates and not just the common ones, come from the running sums, less
// the values at the other symbol's holes: O(1) and O(holes) per pair, not
// another pass over the returns.
func (r *Returns) corr(i, j int) (c float64, n int) {
	ri, rj := &r.Rows[i], &r.Rows[j]
	lo, hi := max(ri.Lo, rj.Lo), min(ri.Hi, rj.Hi)
	if int(hi)-int(lo) < MinCommon {
		return 0, 0
	}
	p := dot(ri.X[lo:hi], rj.X[lo:hi])
	si, qi := ri.Sum[hi]-ri.Sum[lo], ri.SumSq[hi]-ri.SumSq[lo]
	sj, qj := rj.Sum[hi]-rj.Sum[lo], rj.SumSq[hi]-rj.SumSq[lo]
	hi1, hj := within(ri.Holes, lo, hi), within(rj.Holes, lo, hi)
	for _, t := range hi1 { // i has no return: leave j's out
		v := rj.X[t]
		sj, qj = sj-v, qj-v*v
	}
	for _, t := range hj {
		v := ri.X[t]
		si, qi = si-v, qi-v*v
	}
	n = int(hi-lo) - len(hi1) - len(hj) + both(hi1, hj)
	if n < MinCommon {
		return 0, 0
	}
	fn := float64(n)
	vi, vj := qi-si*si/fn, qj-sj*sj/fn
	if !(vi > 1e-9*fn && vj > 1e-9*fn) {
		return 0, 0 // constant on the common dates
	}
	c = (p - si*sj/fn) / math.Sqrt(vi*vj)
	return max(-1, min(1, c)), n
}

// dot returns the dot product of a and b (len(b) ≥ len(a)), with four
// running sums, always added in the same order.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// within returns the part of the sorted holes in [lo, hi).
func within(holes []int32, lo, hi int32) []int32 {
	a, _ := slices.BinarySearch(holes, lo)
	b, _ := slices.BinarySearch(holes, hi)
	return holes[a:b]
}

// both counts the values two sorted lists share.
func both(a, b []int32) int {
	n := 0
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			n++
			a, b = a[1:], b[1:]
		}
	}
	return n
}

package stocks

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

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
// loaded by the first map, their calendar, and where each one's returns
// start and end on it.
type Loaded struct {
	Series   []Series
	Calendar Calendar
	// Lo[i] and Hi[i] bound the returns series i has on the calendar: t in
	// [Lo[i], Hi[i]), empty if it has none.
	Lo, Hi []int32
	// Bounds lists the values of Lo and Hi, in order, once each: where the
	// span of the returns two series share can start and end.
	Bounds []int32
}

// newLoaded returns the Loaded of series. It costs O(total length of the
// series + days spanned).
func newLoaded(series []Series) *Loaded {
	l := &Loaded{
		Series:   series,
		Calendar: newCalendar(series),
		Lo:       make([]int32, len(series)),
		Hi:       make([]int32, len(series)),
	}
	for i, s := range series {
		l.Lo[i], l.Hi[i] = span(s, &l.Calendar)
		l.Bounds = append(l.Bounds, l.Lo[i], l.Hi[i])
	}
	slices.Sort(l.Bounds)
	l.Bounds = slices.Compact(l.Bounds)
	return l
}

// span returns the bounds of the returns s has on cal: from the first
// close followed by one on the calendar's next date, to the last such. It
// looks at the ends of s only, unless s has many gaps there.
func span(s Series, cal *Calendar) (lo, hi int32) {
	pos := func(m int) int32 { return cal.Index[s.Dates[m]-cal.First] }
	first := -1
	for m := 1; m < len(s.Dates); m++ {
		if pos(m) == pos(m-1)+1 {
			first = m
			break
		}
	}
	if first < 0 {
		return 0, 0
	}
	for m := len(s.Dates) - 1; m >= first; m-- {
		if pos(m) == pos(m-1)+1 {
			return pos(first - 1), pos(m-1) + 1
		}
	}
	panic("unreachable: the first return is also a last one")
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
	// Sum[k] is the sum of X before position Bounds[k] of the calendar,
	// and SumSq[k] that of the squares (Bounds as in Loaded and Returns),
	// so that the sums over the span two symbols share cost O(1).
	Sum, SumSq []float64

	buf []float64 // the array of X, Sum and SumSq, on the process that made them
}

// Standardise computes one symbol's Row (the body of Correlate's second
// map): its daily log returns on the calendar — a return on each calendar
// date on which it has a close, as on the calendar's date before — with
// their mean and standard deviation, in one pass (Welford's); then the
// standardised returns, and their running sums at the bounds. It costs
// O(calendar length).
func Standardise(ctx context.Context, j StandardiseJob) (Row, error) {
	l, err := j.Loaded.Get(ctx)
	if err != nil {
		return Row{}, err
	}
	if j.Index < 0 || j.Index >= len(l.Series) {
		return Row{}, fmt.Errorf("stocks: series #%d of %d: out of range", j.Index, len(l.Series))
	}
	return standardise(l, j.Index), nil
}

func standardise(l *Loaded, i int) Row {
	s, cal := l.Series[i], &l.Calendar
	lo, hi := l.Lo[i], l.Hi[i]
	if hi-lo < 2 {
		return Row{}
	}
	T := max(cal.Len-1, 0)
	// One array for X, Sum and SumSq, recycled (see recycle).
	B := len(l.Bounds)
	buf := rowArrays.get(T + 2*B)
	clear(buf)
	x, sum, sq := buf[:T:T], buf[T:T+B:T+B], buf[T+B:]

	r := Row{X: x, Lo: lo, Hi: hi, Sum: sum, SumSq: sq, buf: buf}
	var n int
	var mean, m2 float64
	next := lo // the first position not yet filled or marked a hole
	m := 1     // the returns from close m-1 to close m, from the one at lo
	for m < len(s.Dates) && cal.Index[s.Dates[m-1]-cal.First] < lo {
		m++
	}
	for ; m < len(s.Dates); m++ {
		t := cal.Index[s.Dates[m-1]-cal.First]
		if t >= hi {
			break
		}
		if cal.Index[s.Dates[m]-cal.First] != t+1 {
			continue // a date of the calendar is missing in between
		}
		for ; next < t; next++ {
			r.Holes = append(r.Holes, next)
		}
		v := math.Log(s.Close[m] / s.Close[m-1])
		x[t], next = v, t+1
		n++
		d := v - mean
		mean += d / float64(n)
		m2 += d * (v - mean)
	}
	sd := math.Sqrt(m2 / float64(n))
	if n < 2 || !(sd > 0) {
		rowArrays.put(buf)
		return Row{}
	}
	for t := lo; t < hi; t++ {
		x[t] = (x[t] - mean) / sd
	}
	for _, h := range r.Holes {
		x[h] = 0
	}
	// The running sums at the bounds, in one pass.
	var s1, s2 float64
	t := int32(0)
	for k, b := range l.Bounds {
		for ; t < b; t++ {
			s1 += x[t]
			s2 += x[t] * x[t]
		}
		sum[k], sq[k] = s1, s2
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
	Bounds  []int32  // the positions of the rows' running sums, as in Loaded
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
	a, _ := slices.BinarySearch(r.Bounds, lo) // lo and hi are in Bounds
	b, _ := slices.BinarySearch(r.Bounds, hi)
	si, qi := ri.Sum[b]-ri.Sum[a], ri.SumSq[b]-ri.SumSq[a]
	sj, qj := rj.Sum[b]-rj.Sum[a], rj.SumSq[b]-rj.SumSq[a]
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

// Stage 2 allocates megabytes of rows and series, which are garbage once
// it has its answer. They are recycled for the next call instead, so that
// repeated calls (and the calls of a long-running program) keep the
// garbage collector, which competes with the tasks for the cores, nearly
// idle.
var (
	rowArrays   arrays[float64] // Row.buf
	closeArrays arrays[float64] // Series.Close
	dateArrays  arrays[int32]   // Series.Dates
)

// arrays keeps arrays for reuse.
type arrays[T any] struct{ pool sync.Pool }

// get returns a slice of n elements, not zeroed.
func (a *arrays[T]) get(n int) []T {
	if p, ok := a.pool.Get().(*[]T); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]T, n)
}

func (a *arrays[T]) put(s []T) {
	if cap(s) > 0 {
		a.pool.Put(&s)
	}
}

// recycle keeps the arrays of the rows and series of a finished call of
// stage 2 for the next. Nothing may use them afterwards.
func recycle(series []Series, rows []Row) {
	for _, r := range rows {
		rowArrays.put(r.buf)
	}
	for _, s := range series {
		dateArrays.put(s.Dates)
		closeArrays.put(s.Close)
	}
}

package stocks

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// MinCommon is the fewest daily returns on common dates that a pair needs
// to be compared: a correlation over a few days means nothing.
const MinCommon = 20

// ErrNoPair reports data in which no two symbols have MinCommon daily
// returns on common dates.
var ErrNoPair = errors.New("stocks: no pair to compare")

// Pair is the answer of stage 2: two symbols and the correlation of their
// daily log returns.
type Pair struct {
	A, B string  // the symbols, A < B
	Corr float64 // Pearson correlation of the daily log returns, on common dates
	Days int     // how many daily returns the two have on common dates
}

// PairJob is the argument of CorrelatePairs: the shared Returns and a
// range of pairs. The pairs (i, j), i < j, of the N symbols are numbered
// row by row: (0, 1), (0, 2), …, (0, N-1), (1, 2), …, (N-2, N-1).
type PairJob struct {
	Returns  shoal.Ref[*Returns]
	From, To int // the pairs numbered From to To-1
}

// PairsResult is what CorrelatePairs returns: the most correlated of its
// pairs, and how many of them were compared.
type PairsResult struct {
	Best     Pair // the zero Pair if Compared is 0
	Compared int  // the pairs with MinCommon returns on common dates
}

// CorrelatePairs correlates a range of pairs (the body of Correlate's
// third map) and returns the most correlated; of equal correlations, the
// first pair in order. If ctx is done, it returns ctx's error within a few
// hundred pairs.
func CorrelatePairs(ctx context.Context, j PairJob) (PairsResult, error) {
	r, err := j.Returns.Get(ctx)
	if err != nil {
		return PairsResult{}, err
	}
	return r.best(ctx, j.From, j.To)
}

// best returns the most correlated of the pairs numbered from to to-1.
func (r *Returns) best(ctx context.Context, from, to int) (PairsResult, error) {
	N := len(r.Symbols)
	if from < 0 || to > N*(N-1)/2 || from > to {
		return PairsResult{}, fmt.Errorf("stocks: pairs %d to %d of %d symbols: out of range", from, to, N)
	}
	// Find pair number from: row i holds the N-1-i pairs (i, i+1…N-1).
	i, k := 0, from
	for i < N-1 && k >= N-1-i {
		k -= N - 1 - i
		i++
	}
	j := i + 1 + k
	var res PairsResult
	bestCorr := math.Inf(-1)
	for step := range to - from {
		if step%256 == 255 {
			if err := ctx.Err(); err != nil {
				return PairsResult{}, err
			}
		}
		if c, n := r.corr(i, j); n > 0 {
			res.Compared++
			if c > bestCorr {
				bestCorr = c
				res.Best = Pair{A: r.Symbols[i], B: r.Symbols[j], Corr: c, Days: n}
			}
		}
		if j++; j == N {
			i++
			j = i + 1
		}
	}
	return res, nil
}

// reduce combines the results of consecutive ranges of pairs, in order.
func reduce(parts []PairsResult, symbols int) (Pair, int, error) {
	var best PairsResult
	for _, p := range parts {
		if p.Compared > 0 && (best.Compared == 0 || p.Best.Corr > best.Best.Corr) {
			best.Best = p.Best
		}
		best.Compared += p.Compared
	}
	if best.Compared == 0 {
		return Pair{}, 0, fmt.Errorf("%w: no two of the %d symbols have %d daily returns on common dates", ErrNoPair, symbols, MinCommon)
	}
	return best.Best, best.Compared, nil
}

// pairJobs splits the pairs of r into ranges of about equal work, about
// 250,000 multiply-adds each, at most 256: a few dozen per core at the
// demo's size, few enough to cost little on a cluster.
func pairJobs(ref shoal.Ref[*Returns], r *Returns) []PairJob {
	N := len(r.Symbols)
	pairs := N * (N - 1) / 2
	if pairs == 0 {
		return nil
	}
	tasks := min(max(1, pairs*max(r.Len, 1)/250_000), 256, pairs)
	jobs := make([]PairJob, tasks)
	for k := range jobs {
		jobs[k] = PairJob{Returns: ref, From: k * pairs / tasks, To: (k + 1) * pairs / tasks}
	}
	return jobs
}

// Correlate finds the most correlated pair of the symbols in parquetDir
// (every file named *.parquet, as Convert writes them): the pair whose
// daily log returns have the highest Pearson correlation on the dates both
// have.
//
// The dates are aligned on a calendar, the union of every file's dates.
// A symbol has a daily return on a calendar date if it has a close on that
// date and on the calendar's date before it, and a pair is compared on the
// returns both symbols have: where one symbol started later, stopped
// earlier or misses a day, the pair uses the dates they share. Pairs with
// fewer than MinCommon common returns are left out; of equal correlations,
// the pair first in alphabetical order wins.
//
// It runs on ex in three shoal.Maps, with the calendar built in between on
// the calling goroutine (O(dates)):
//
//  1. LoadSeries over the files (shoal.Progress("load")) reads each
//     file's dates and closes.
//  2. Standardise over the series (shoal.Progress("standardise")) computes
//     each symbol's returns on the calendar and standardises them, once.
//  3. CorrelatePairs over ranges of the pairs (shoal.Progress("correlate"))
//     computes one dot product per pair, plus O(1) corrections for the
//     dates one symbol of the pair lacks.
//
// The maps' inputs are shared with shoal.Put: on a pool, a pointer, so
// nothing is copied. Each map gets its progress option and
// shoal.ChunkSize(1), and then opts.
//
// Correlate blocks until the maps are done. A failing file is returned as
// a *shoal.TaskError; no .parquet file in parquetDir is an error wrapping
// ErrNoData, no pair to compare one wrapping ErrNoPair. If ctx is done
// first, it returns ctx's error promptly. An invalid option returns an
// error wrapping shoal.ErrInvalidOption; a nil ex panics.
func Correlate(ctx context.Context, ex shoal.Executor, parquetDir string, opts ...shoal.Option) (Pair, error) {
	paths, err := list(parquetDir, ".parquet")
	if err != nil {
		return Pair{}, err
	}
	p, _, err := correlateFiles(ctx, ex, paths, opts)
	return p, err
}

// CorrelateSequential is Correlate with plain loops on the calling
// goroutine: the same answer, bit for bit, and the same errors (a failing
// file's error is returned as it is, not in a *shoal.TaskError). It draws
// a progress bar, "sequential correlate", counting the files loaded, the
// series standardised, and then the rows of pairs.
func CorrelateSequential(ctx context.Context, parquetDir string) (Pair, error) {
	paths, err := list(parquetDir, ".parquet")
	if err != nil {
		return Pair{}, err
	}
	p, _, err := correlateFilesSequential(ctx, paths)
	return p, err
}

// correlateFiles is Correlate on the files paths. It also returns how many
// pairs were compared.
func correlateFiles(ctx context.Context, ex shoal.Executor, paths []string, opts []shoal.Option) (Pair, int, error) {
	// Items take a tenth of a millisecond or more: claimed one at a time,
	// the last ones of each map spread over every worker.
	with := func(label string) []shoal.Option {
		return append([]shoal.Option{shoal.Progress(label), shoal.ChunkSize(1)}, opts...)
	}
	series, err := shoal.Map(ctx, ex, paths, LoadSeries, with("load")...)
	if err != nil {
		return Pair{}, 0, err
	}

	l := newLoaded(series)
	loaded, err := shoal.Put(ctx, ex, l)
	if err != nil {
		return Pair{}, 0, err
	}
	defer func() { _ = loaded.Release(context.WithoutCancel(ctx)) }() // best effort: only memory is at stake
	jobs := make([]StandardiseJob, len(series))
	for i := range jobs {
		jobs[i] = StandardiseJob{Loaded: loaded, Index: i}
	}
	rows, err := shoal.Map(ctx, ex, jobs, Standardise, with("standardise")...)
	if err != nil {
		return Pair{}, 0, err
	}

	r := returnsOf(l, rows)
	ref, err := shoal.Put(ctx, ex, r)
	if err != nil {
		return Pair{}, 0, err
	}
	defer func() { _ = ref.Release(context.WithoutCancel(ctx)) }()
	parts, err := shoal.Map(ctx, ex, pairJobs(ref, r), CorrelatePairs, with("correlate")...)
	if err != nil {
		return Pair{}, 0, err
	}
	recycle(series, rows) // every task is done
	return reduce(parts, len(series))
}

// correlateFilesSequential is CorrelateSequential on the files paths. It
// also returns how many pairs were compared.
func correlateFilesSequential(ctx context.Context, paths []string) (Pair, int, error) {
	N := len(paths)
	bar := progress.Start("sequential correlate", 3*N, nil)
	defer bar.Finish()
	series := make([]Series, N)
	for i, p := range paths {
		var err error
		if series[i], err = LoadSeries(ctx, p); err != nil {
			return Pair{}, 0, err
		}
		bar.Add(1)
	}
	l := newLoaded(series)
	rows := make([]Row, N)
	for i := range series {
		if err := ctx.Err(); err != nil {
			return Pair{}, 0, err
		}
		rows[i] = standardise(l, i)
		bar.Add(1)
	}
	r := returnsOf(l, rows)
	// Row by row, for the progress bar; the answer is that of one range.
	parts := make([]PairsResult, 0, N)
	k := 0
	for i := range N {
		row := N - 1 - i
		part, err := r.best(ctx, k, k+row)
		if err != nil {
			return Pair{}, 0, err
		}
		parts = append(parts, part)
		k += row
		bar.Add(1)
	}
	recycle(series, rows)
	return reduce(parts, N)
}

func returnsOf(l *Loaded, rows []Row) *Returns {
	r := &Returns{Symbols: make([]string, len(l.Series)), Len: max(l.Calendar.Len-1, 0), Rows: rows, Bounds: l.Bounds}
	for i, s := range l.Series {
		r.Symbols[i] = s.Symbol
	}
	return r
}

package stocks

import (
	"context"
	"math"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

// CorrelateArray is Correlate with its third map — the correlation of
// every pair — written with package array: the same answer, the same
// pair, and the same correlation to within rounding (about 1e-12).
//
// With the standardised returns as the rows of an N×T matrix X (0 where a
// symbol has no return) and M the matrix that is 1 where it has one, the
// sums a pair's Pearson correlation needs over the dates both symbols
// have are entries of four matrix products: X·Xᵀ (the sums of products),
// X·Mᵀ (each symbol's sum over the dates the other has), (X∘X)·Mᵀ (its
// sum of squares there) and M·Mᵀ (how many dates they share). Each is an
// array.MatMul of chunks, computed on ex; the driver then reads the pair
// with the highest correlation off the N×N results, with the same rules
// as Correlate (MinCommon common returns, no constant series, the first
// pair in order wins a tie).
//
// It loads and standardises the series as Correlate does (the maps
// "load" and "standardise"); opts go to those maps and to every Compute.
// It returns the same errors as Correlate.
func CorrelateArray(ctx context.Context, ex shoal.Executor, parquetDir string, opts ...shoal.Option) (Pair, error) {
	paths, err := list(parquetDir, ".parquet")
	if err != nil {
		return Pair{}, err
	}
	with := func(label string) []shoal.Option {
		return append([]shoal.Option{shoal.Progress(label), shoal.ChunkSize(1)}, opts...)
	}
	series, err := shoal.Map(ctx, ex, paths, LoadSeries, with("load")...)
	if err != nil {
		return Pair{}, err
	}
	l := newLoaded(series)
	loaded, err := shoal.Put(ctx, ex, l)
	if err != nil {
		return Pair{}, err
	}
	defer func() { _ = loaded.Release(context.WithoutCancel(ctx)) }()
	jobs := make([]StandardiseJob, len(series))
	for i := range jobs {
		jobs[i] = StandardiseJob{Loaded: loaded, Index: i}
	}
	rows, err := shoal.Map(ctx, ex, jobs, Standardise, with("standardise")...)
	if err != nil {
		return Pair{}, err
	}
	r := returnsOf(l, rows)
	x, m := matrices(r)
	recycle(series, rows) // every task is done, and x and m are copies
	p, _, err := bestOfMatrices(ctx, ex, r.Symbols, x, m, with("correlate"))
	return p, err
}

// matrices returns X and M (see CorrelateArray), row-major.
func matrices(r *Returns) (x, m []float64) {
	N, T := len(r.Symbols), r.Len
	x, m = make([]float64, N*T), make([]float64, N*T)
	for i, row := range r.Rows {
		if row.Lo == row.Hi {
			continue // left out: no return counts
		}
		copy(x[i*T+int(row.Lo):i*T+int(row.Hi)], row.X[row.Lo:row.Hi])
		for t := row.Lo; t < row.Hi; t++ {
			m[i*T+int(t)] = 1
		}
		for _, h := range row.Holes {
			m[i*T+int(h)] = 0
		}
	}
	return x, m
}

// bestOfMatrices computes the four products of X and M on ex and returns
// the most correlated pair, and how many pairs were compared.
func bestOfMatrices(ctx context.Context, ex shoal.Executor, symbols []string, x, m []float64, opts []shoal.Option) (Pair, int, error) {
	N := len(symbols)
	if N < 2 {
		return reduce(nil, N)
	}
	T := len(x) / N
	if T == 0 {
		return reduce(nil, N)
	}
	// Two chunks of symbols, all the dates in each: four tasks per
	// product, each one large multiplication, which BLAS does best.
	chunks := []int{(N + 1) / 2, T}
	X := array.FromSlice(x, []int{N, T}, chunks)
	M := array.FromSlice(m, []int{N, T}, chunks)
	Mt := M.Transpose()
	products := []*array.Array{
		X.MatMul(X.Transpose()), // P: Σ xi·xj on common dates (0 elsewhere)
		X.MatMul(Mt),            // S: S[i][j] = Σ xi over the dates j has
		X.Mul(X).MatMul(Mt),     // Q: Q[i][j] = Σ xi² over the dates j has
		M.MatMul(Mt),            // C: common dates
	}
	var res [4][]float64
	for k, a := range products {
		v, err := a.Compute(ctx, ex, opts...)
		if err != nil {
			return Pair{}, 0, err
		}
		res[k] = v.Data
	}
	P, S, Q, C := res[0], res[1], res[2], res[3]
	var best PairsResult
	bestCorr := math.Inf(-1)
	for i := range N {
		for j := i + 1; j < N; j++ {
			n := int(math.Round(C[i*N+j]))
			if n < MinCommon {
				continue
			}
			fn := float64(n)
			si, sj := S[i*N+j], S[j*N+i]
			vi, vj := Q[i*N+j]-si*si/fn, Q[j*N+i]-sj*sj/fn
			if !(vi > 1e-9*fn && vj > 1e-9*fn) {
				continue // constant on the common dates
			}
			c := max(-1, min(1, (P[i*N+j]-si*sj/fn)/math.Sqrt(vi*vj)))
			best.Compared++
			if c > bestCorr {
				bestCorr = c
				best.Best = Pair{A: symbols[i], B: symbols[j], Corr: c, Days: n}
			}
		}
	}
	return reduce([]PairsResult{best}, N)
}

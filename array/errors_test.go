package array_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

func TestInvalid(t *testing.T) {
	t.Parallel()
	v := array.Arange(6, 2)
	m := array.Zeros([]int{3, 4}, []int{2, 2})
	var null *array.Array
	cases := []struct {
		name string
		a    *array.Array
		want error
	}{
		{"3 dimensions", array.Zeros([]int{2, 3, 4}, []int{1, 1, 1}), array.ErrShape},
		{"no dimension", array.Zeros(nil, nil), array.ErrShape},
		{"negative length", array.Ones([]int{-1}, []int{1}), array.ErrShape},
		{"chunk 0", array.Ones([]int{3}, []int{0}), array.ErrChunks},
		{"chunks per dimension", array.Ones([]int{3}, []int{1, 1}), array.ErrChunks},
		{"data length", array.FromSlice(make([]float64, 5), []int{2, 3}, []int{1, 1}), array.ErrShape},
		{"add shapes", v.Add(array.Arange(5, 2)), array.ErrShape},
		{"add chunks", v.Add(array.Arange(6, 3)), array.ErrChunks},
		{"add nil", v.Add(null), nil},
		{"matmul vector", v.MatMul(m), array.ErrShape},
		{"matmul inner", m.MatMul(m), array.ErrShape},
		{"matmul chunks", m.MatMul(array.Zeros([]int{4, 2}, []int{3, 2})), array.ErrChunks},
		{"axis 2", m.Sum(2), array.ErrAxis},
		{"axis -1", m.Sum(-1), array.ErrAxis},
		{"two axes", m.Mean(0, 1), array.ErrAxis},
		{"vector axis 1", v.Max(1), array.ErrAxis},
		{"unknown function", v.Apply("nope"), array.ErrUnknownFunc},
		{"slice bounds", m.Slice([]int{0, 0}, []int{4, 4}), array.ErrShape},
		{"slice reversed", v.Slice([]int{3}, []int{2}), array.ErrShape},
		{"slice dimensions", v.Slice([]int{0, 0}, []int{1, 1}), array.ErrShape},
		{"rechunk 0", m.Rechunk(0, 1), array.ErrChunks},
		{"rechunk dimensions", m.Rechunk(1), array.ErrChunks},
		{"sticky", array.Ones([]int{3}, []int{0}).Add(v).Sqrt().Sum().Scale(2), array.ErrChunks},
		{"nil", null, nil},
		{"nil derived", null.Sqrt().Transpose().Sum(), nil},
	}
	pool := shoal.NewPool(shoal.Workers(1))
	defer pool.Close()
	for _, c := range cases {
		err := c.a.Err()
		if err == nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: Err() = %v, want %v", c.name, err, c.want)
			continue
		}
		if _, cerr := c.a.Compute(t.Context(), pool); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("%s: Compute error %v, want %v", c.name, cerr, err)
		}
		if c.a.Shape() != nil || c.a.Chunks() != nil || c.a.Size() != 0 {
			t.Errorf("%s: an invalid array has a shape", c.name)
		}
		if g := c.a.Graph(); !strings.HasPrefix(g, "error: ") {
			t.Errorf("%s: Graph() = %q", c.name, g)
		}
	}
	if _, err := m.Scalar(t.Context(), pool); !errors.Is(err, array.ErrShape) {
		t.Errorf("Scalar of a matrix: %v, want ErrShape", err)
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	ctx := t.Context()
	e := array.Zeros([]int{0}, []int{4})
	if got, err := e.Compute(ctx, pool); err != nil || !slices.Equal(got.Shape, []int{0}) || len(got.Data) != 0 {
		t.Errorf("empty vector: %v, %v", got, err)
	}
	if s, err := e.Add(e).Sum().Scalar(ctx, pool); err != nil || s != 0 {
		t.Errorf("Sum of nothing = %v, %v; want 0", s, err)
	}
	for name, a := range map[string]*array.Array{"mean": e.Mean(), "var": e.Var(), "std": e.Std(), "min": e.Min(), "max": e.Max()} {
		if _, err := a.Compute(ctx, pool); !errors.Is(err, array.ErrEmpty) {
			t.Errorf("%s of nothing: %v, want ErrEmpty", name, err)
		}
	}
	rows0 := array.Ones([]int{0, 3}, []int{2, 2})
	if got, err := rows0.Sum(0).Compute(ctx, pool); err != nil || !slices.Equal(got.Data, []float64{0, 0, 0}) {
		t.Errorf("Sum(0) of 0×3 = %v, %v; want three zeros", got, err)
	}
	if _, err := rows0.Max(0).Compute(ctx, pool); !errors.Is(err, array.ErrEmpty) {
		t.Errorf("Max(0) of 0×3: %v, want ErrEmpty", err)
	}
	if got, err := rows0.Sum(1).Compute(ctx, pool); err != nil || len(got.Data) != 0 || !slices.Equal(got.Shape, []int{0}) {
		t.Errorf("Sum(1) of 0×3 = %v, %v; want an empty vector", got, err)
	}
	if _, err := e.Dense(ctx, pool); !errors.Is(err, array.ErrShape) {
		t.Errorf("Dense of an empty array: %v, want ErrShape", err)
	}
	if got, err := array.Ones([]int{3, 4}, []int{2, 2}).Slice([]int{1, 2}, []int{1, 4}).MatMul(array.Ones([]int{2, 2}, []int{2, 2})).Compute(ctx, pool); err != nil || !slices.Equal(got.Shape, []int{0, 2}) {
		t.Errorf("MatMul of an empty slice = %v, %v", got, err)
	}
}

func TestNaN(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	data := []float64{1, 2, math.NaN(), 4, 5, 6}
	x := array.FromSlice(data, []int{2, 3}, []int{1, 2})
	for name, a := range map[string]*array.Array{"sum": x.Sum(), "mean": x.Mean(), "var": x.Var(), "min": x.Min(), "max": x.Max()} {
		if v, err := a.Scalar(t.Context(), pool); err != nil || !math.IsNaN(v) {
			t.Errorf("%s with a NaN = %v, %v; want NaN", name, v, err)
		}
	}
	got, err := x.Min(0).Compute(t.Context(), pool)
	if err != nil || got.Data[0] != 1 || !math.IsNaN(got.Data[2]) || got.Data[1] != 2 {
		t.Errorf("Min(0) = %v, %v; want [1 2 NaN]", got.Data, err)
	}
	got, err = x.Max(1).Compute(t.Context(), pool)
	if err != nil || !math.IsNaN(got.Data[0]) || got.Data[1] != 6 {
		t.Errorf("Max(1) = %v, %v; want [NaN 6]", got.Data, err)
	}
}

// TestLazy checks that building and describing a graph runs nothing, and
// that Compute runs one task per chunk of a fused chain and one per
// splitEvery chunks of a reduction. It is not parallel: it counts every
// task of the process.
func TestLazy(t *testing.T) {
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	before := array.TaskRuns()
	x := array.RandomUniform(1, 0, 1, []int{6, 6}, []int{2, 3}) // 3×2 chunks
	chain := x.Add(x.Exp()).Mul(x).Sqrt()
	sum := chain.Sum()
	_ = sum.Graph()
	_ = sum.DOT()
	_ = array.FromSlice(make([]float64, 36), []int{6, 6}, []int{2, 3}).MatMul(x.Transpose().Rechunk(3, 2)).Max(0)
	if n := array.TaskRuns() - before; n != 0 {
		t.Fatalf("%d tasks ran before Compute", n)
	}
	var done, total atomic.Int64
	if _, err := chain.Compute(t.Context(), pool, shoal.OnProgress(func(d, n int) { done.Store(int64(d)); total.Store(int64(n)) })); err != nil {
		t.Fatal(err)
	}
	if n := array.TaskRuns() - before; n != 6 {
		t.Errorf("the chain over 6 chunks ran %d tasks, want 6 (one per chunk)", n)
	}
	if done.Load() != 6 || total.Load() != 6 {
		t.Errorf("OnProgress ended at %d/%d, want 6/6", done.Load(), total.Load())
	}
	before = array.TaskRuns()
	if _, err := sum.Compute(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	if n := array.TaskRuns() - before; n != 2 {
		t.Errorf("the sum of 6 chunks ran %d tasks, want 2 (4 chunks per task)", n)
	}
}

// TestReductionMemory checks that a reduction of a generated array never
// holds the array: the bytes allocated while computing the mean of a
// 32 MB array, in chunks of 512 KB, stay under four chunks. It is not
// parallel: it counts every allocation of the process.
func TestReductionMemory(t *testing.T) {
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	const n, c = 2048, 256
	for _, axis := range [][]int{nil, {0}, {1}} {
		x := array.RandomNormal(1, 0, 1, []int{n, n}, []int{c, c}).Scale(2).Mean(axis...)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := x.Compute(t.Context(), pool); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*c*c*8 {
			t.Errorf("Mean(%v) of %d×%d allocated %d bytes, more than 4 chunks of %d", axis, n, n, alloc, c*c*8)
		}
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	exs := executors(t)
	for name, ex := range exs {
		ctx, cancel := context.WithCancel(t.Context())
		x := array.RandomNormal(1, 0, 1, []int{200, 10000}, []int{10, 10000}).Exp().Sum(1)
		_, err := x.Compute(ctx, ex, shoal.OnProgress(func(done, total int) {
			if done >= 1 {
				cancel()
			}
		}))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Compute after cancel: %v, want context.Canceled", name, err)
		}
		// Already cancelled: nothing runs.
		if _, err := x.Compute(ctx, ex); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Compute with a done context: %v", name, err)
		}
	}
}

func TestApplyPanics(t *testing.T) {
	t.Parallel()
	x := array.RandomUniform(3, 0, 1, []int{100}, []int{10}).Apply("boom")
	for name, ex := range executors(t) {
		_, err := x.Sum().Compute(t.Context(), ex)
		var te *shoal.TaskError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "boom") {
			t.Errorf("%s: Compute with a panicking function: %v, want a *shoal.TaskError about the panic", name, err)
		}
		var pe *shoal.PanicError
		if _, isPool := ex.(*shoal.Pool); isPool && !errors.As(err, &pe) {
			t.Errorf("%s: %v is not a *shoal.PanicError", name, err)
		}
	}
}

func TestRegisterMisuse(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"duplicate": func() { array.Register("cube", math.Sqrt) },
		"empty":     func() { array.Register("", math.Sqrt) },
		"nil":       func() { array.Register("nilfn", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestGraph(t *testing.T) {
	t.Parallel()
	x := array.RandomNormal(1, 0, 1, []int{4, 4}, []int{2, 2})
	y := array.FromSlice(make([]float64, 16), []int{4, 4}, []int{2, 2})
	a := y.MatMul(x.Sqrt().Transpose()).Add(y).Sum(0)
	want := `stage 1: 0 tasks: from slice [4 4] in 2×2 chunks (no task)
stage 2: 4 tasks: 2×2 chunks, fused: sqrt(normal(seed 1))
stage 3: 4 tasks: matmul [stage 1] · transpose of [stage 2], read transposed into 2×2 chunks (blas64.Gemm)
stage 4: 2 tasks: sum over axis 0 of 2×2 chunks, fused: add([stage 3], data[4 4]); partials combined pairwise
`
	if got := a.Graph(); got != want {
		t.Errorf("Graph() =\n%s\nwant\n%s", got, want)
	}
	dot := a.DOT()
	for _, s := range []string{"digraph array {", "s1 -> s3;", "s2 -> s3;", "s3 -> s4;"} {
		if !strings.Contains(dot, s) {
			t.Errorf("DOT() lacks %q:\n%s", s, dot)
		}
	}
}

// TestClusterKeepsChunks checks that on a cluster the chunks one stage
// computes for the next stay there, as Refs, and that the result is
// right. It is not parallel: it counts the chunks of every Compute.
func TestClusterKeepsChunks(t *testing.T) {
	c := sharedCluster(t)
	x := array.RandomUniform(1, 0, 1, []int{6, 4}, []int{3, 2}) // 2×2 chunks
	y := array.Ones([]int{4, 5}, []int{2, 5})                   // 2×1 chunks
	before := array.SharedChunks()
	got, err := x.Exp().MatMul(y).Compute(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	// The operands are computed as 4 + 2 chunks kept on the cluster; the
	// product, the result, comes back.
	if n := array.SharedChunks() - before; n != 6 {
		t.Errorf("%d chunks stayed on the cluster, want 6", n)
	}
	want, err := x.Exp().Sum(1).Compute(t.Context(), shoal.Default())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		for j := range 5 {
			if g, w := got.Data[i*5+j], want.Data[i]; math.Abs(g-w) > 1e-12*w {
				t.Fatalf("product[%d][%d] = %v, want %v", i, j, g, w)
			}
		}
	}
}

// TestProgress checks that Compute draws its stages' bars (sent nowhere
// by TestMain) and rejects invalid options.
func TestProgress(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	x := array.RandomNormal(1, 0, 1, []int{40, 40}, []int{10, 10})
	got, err := x.MatMul(x.Transpose()).Mean(0).Compute(t.Context(), pool, shoal.Progress("arrays"))
	if err != nil || len(got.Data) != 40 {
		t.Errorf("Compute with a progress bar: %d values, %v", len(got.Data), err)
	}
	if _, err := x.Sum().Compute(t.Context(), pool, shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("Compute with Limit(0): %v, want ErrInvalidOption", err)
	}
}

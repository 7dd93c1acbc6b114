package array_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

// executors returns the executors every result is checked on: a pool of
// one worker, a pool of four, and (unless -short) the shared 2-worker
// cluster.
func executors(t *testing.T) map[string]shoal.Executor {
	t.Helper()
	p1 := shoal.NewPool(shoal.Workers(1))
	p4 := shoal.NewPool(shoal.Workers(4))
	t.Cleanup(func() {
		_ = p1.Close()
		_ = p4.Close()
	})
	ex := map[string]shoal.Executor{"pool1": p1, "pool4": p4}
	if !testing.Short() {
		ex["cluster"] = sharedCluster(t)
	}
	return ex
}

// dense is a plain row-major matrix, the reference.
type dense struct {
	r, c int
	v    []float64
}

func (d dense) at(i, j int) float64 { return d.v[i*d.c+j] }

func randDense(seed uint64, r, c int, lo, hi float64) dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, r*c)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return dense{r, c, v}
}

func mapDense(d dense, f func(float64) float64) dense {
	out := dense{d.r, d.c, make([]float64, len(d.v))}
	for i, x := range d.v {
		out.v[i] = f(x)
	}
	return out
}

// powBy returns x ↦ x^p.
func powBy(p float64) func(float64) float64 {
	return func(x float64) float64 { return math.Pow(x, p) }
}

func zip(a, b dense, f func(x, y float64) float64) dense {
	out := dense{a.r, a.c, make([]float64, len(a.v))}
	for i := range a.v {
		out.v[i] = f(a.v[i], b.v[i])
	}
	return out
}

func transpose(d dense) dense {
	out := dense{d.c, d.r, make([]float64, len(d.v))}
	for i := range d.r {
		for j := range d.c {
			out.v[j*d.r+i] = d.at(i, j)
		}
	}
	return out
}

func matmul(a, b dense) dense {
	out := dense{a.r, b.c, make([]float64, a.r*b.c)}
	for i := range a.r {
		for j := range b.c {
			var s float64
			for k := range a.c {
				s += a.at(i, k) * b.at(k, j)
			}
			out.v[i*b.c+j] = s
		}
	}
	return out
}

// reduceDense reduces d with f over groups: all (axis -1), down the rows
// (0) or along them (1).
func reduceDense(d dense, axis int, f func([]float64) float64) []float64 {
	switch axis {
	case -1:
		return []float64{f(d.v)}
	case 0:
		out := make([]float64, d.c)
		for j := range d.c {
			col := make([]float64, d.r)
			for i := range d.r {
				col[i] = d.at(i, j)
			}
			out[j] = f(col)
		}
		return out
	}
	out := make([]float64, d.r)
	for i := range d.r {
		out[i] = f(d.v[i*d.c : (i+1)*d.c])
	}
	return out
}

func sumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}
func meanOf(v []float64) float64 { return sumOf(v) / float64(len(v)) }
func varOf(v []float64) float64 {
	m := meanOf(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s / float64(len(v))
}
func minOf(v []float64) float64 { return slices.Min(v) }
func maxOf(v []float64) float64 { return slices.Max(v) }

// near reports whether got equals want to within tol, relative to the
// larger of 1 and |want| (NaN equals NaN); if not, the first index that
// differs, or -1 for different lengths.
func near(got, want []float64, tol float64) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.IsNaN(w) && math.IsNaN(g) || g == w {
			continue
		}
		if math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
			return i, false
		}
	}
	return 0, true
}

// check computes a on every executor and compares it with want.
func check(t *testing.T, exs map[string]shoal.Executor, name string, a *array.Array, shape []int, want []float64) {
	t.Helper()
	if err := a.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for en, ex := range exs {
		got, err := a.Compute(t.Context(), ex)
		if err != nil {
			t.Errorf("%s on %s: %v", name, en, err)
			continue
		}
		if !slices.Equal(got.Shape, shape) {
			t.Errorf("%s on %s: shape %v, want %v", name, en, got.Shape, shape)
		}
		if i, ok := near(got.Data, want, 1e-11); !ok {
			if i < 0 {
				t.Errorf("%s on %s: %d values, want %d", name, en, len(got.Data), len(want))
			} else {
				t.Errorf("%s on %s: [%d] = %v, want %v", name, en, i, got.Data[i], want[i])
			}
		}
	}
}

// chunkings of a 7×5 matrix: whole, uneven last chunks, one element.
var chunkings = [][]int{{7, 5}, {3, 2}, {4, 5}, {2, 3}, {1, 1}}

func TestElementwise(t *testing.T) {
	t.Parallel()
	exs := executors(t)
	x := randDense(1, 7, 5, 0.5, 2)
	y := randDense(2, 7, 5, 0.5, 2)
	for _, ch := range chunkings {
		X := array.FromSlice(x.v, []int{7, 5}, ch)
		Y := array.FromSlice(y.v, []int{7, 5}, ch)
		shape := []int{7, 5}
		cases := []struct {
			name string
			a    *array.Array
			want dense
		}{
			{"add", X.Add(Y), zip(x, y, func(a, b float64) float64 { return a + b })},
			{"sub", X.Sub(Y), zip(x, y, func(a, b float64) float64 { return a - b })},
			{"mul", X.Mul(Y), zip(x, y, func(a, b float64) float64 { return a * b })},
			{"div", X.Div(Y), zip(x, y, func(a, b float64) float64 { return a / b })},
			{"scale", X.Scale(-2.5), mapDense(x, func(a float64) float64 { return -2.5 * a })},
			{"pow3", X.Pow(3), mapDense(x, powBy(3))},
			{"pow2", X.Pow(2), mapDense(x, powBy(2))},
			{"pow-half", X.Pow(-0.5), mapDense(x, powBy(-0.5))},
			{"sqrt", X.Sqrt(), mapDense(x, math.Sqrt)},
			{"exp", X.Exp(), mapDense(x, math.Exp)},
			{"log", X.Log(), mapDense(x, math.Log)},
			{"apply", X.Apply("cube"), mapDense(x, func(a float64) float64 { return a * a * a })},
			{"chain", X.Add(Y).Mul(X).Sqrt().Scale(2).Sub(Y.Log()),
				zip(mapDense(zip(zip(x, y, func(a, b float64) float64 { return a + b }), x, func(a, b float64) float64 { return math.Sqrt(a*b) * 2 }), func(a float64) float64 { return a }), y, func(a, b float64) float64 { return a - math.Log(b) })},
			{"self", X.Mul(X), zip(x, x, func(a, b float64) float64 { return a * b })},
		}
		for _, c := range cases {
			check(t, exs, fmt.Sprintf("%s %v", c.name, ch), c.a, shape, c.want.v)
		}
	}
}

func TestReductions(t *testing.T) {
	t.Parallel()
	exs := executors(t)
	x := randDense(3, 7, 5, -1, 1)
	reds := []struct {
		name string
		op   func(*array.Array, ...int) *array.Array
		f    func([]float64) float64
	}{
		{"sum", (*array.Array).Sum, sumOf},
		{"mean", (*array.Array).Mean, meanOf},
		{"var", (*array.Array).Var, varOf},
		{"std", (*array.Array).Std, func(v []float64) float64 { return math.Sqrt(varOf(v)) }},
		{"min", (*array.Array).Min, minOf},
		{"max", (*array.Array).Max, maxOf},
	}
	for _, ch := range chunkings {
		X := array.FromSlice(x.v, []int{7, 5}, ch)
		E := X.Exp() // a fused input
		ex := mapDense(x, math.Exp)
		for _, r := range reds {
			check(t, exs, fmt.Sprintf("%s %v", r.name, ch), r.op(X), []int{}, reduceDense(x, -1, r.f))
			check(t, exs, fmt.Sprintf("%s(0) %v", r.name, ch), r.op(X, 0), []int{5}, reduceDense(x, 0, r.f))
			check(t, exs, fmt.Sprintf("%s(1) %v", r.name, ch), r.op(E, 1), []int{7}, reduceDense(ex, 1, r.f))
		}
	}
	// A vector: axis 0 is all of it.
	v := randDense(4, 1, 13, -1, 1)
	for _, c := range []int{13, 4, 1} {
		V := array.FromSlice(v.v, []int{13}, []int{c})
		for _, r := range reds {
			check(t, exs, fmt.Sprintf("%s vector %d", r.name, c), r.op(V), []int{}, reduceDense(v, -1, r.f))
			check(t, exs, fmt.Sprintf("%s(0) vector %d", r.name, c), r.op(V, 0), []int{}, reduceDense(v, -1, r.f))
		}
	}
}

func TestVarStable(t *testing.T) {
	t.Parallel()
	// A large offset and a small spread: the sum of squares less the
	// squared sum would lose every digit.
	n := 1000
	v := make([]float64, n)
	for i := range v {
		v[i] = 1e9 + float64(i%10)
	}
	want := varOf(v)
	p := shoal.NewPool(shoal.Workers(2))
	defer p.Close()
	for _, c := range []int{1000, 7, 1} {
		got, err := array.FromSlice(v, []int{n}, []int{c}).Var().Scalar(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-6*want {
			t.Errorf("Var in chunks of %d = %v, want %v", c, got, want)
		}
	}
}

func TestLinalg(t *testing.T) {
	t.Parallel()
	all := executors(t)
	pools := map[string]shoal.Executor{"pool1": all["pool1"], "pool4": all["pool4"]}
	x := randDense(5, 7, 5, -1, 1)
	y := randDense(6, 5, 6, -1, 1)
	for k, ch := range [][2]int{{3, 2}, {2, 4}, {7, 5}, {1, 1}} {
		// Each stage on a cluster costs round trips: two chunkings, with
		// uneven last chunks, are enough there.
		exs := all
		if k >= 2 {
			exs = pools
		}
		X := array.FromSlice(x.v, []int{7, 5}, []int{ch[0], ch[1]})
		Y := array.FromSlice(y.v, []int{5, 6}, []int{ch[1], ch[0]})
		name := func(s string) string { return fmt.Sprintf("%s %v", s, ch) }
		check(t, exs, name("matmul"), X.MatMul(Y), []int{7, 6}, matmul(x, y).v)
		check(t, exs, name("x xT"), X.MatMul(X.Transpose()), []int{7, 7}, matmul(x, transpose(x)).v)
		check(t, exs, name("xT x"), X.Transpose().MatMul(X), []int{5, 5}, matmul(transpose(x), x).v)
		// Operands computed first: a generated and a fused one.
		G := X.Exp().MatMul(Y.Scale(2))
		check(t, exs, name("fused operands"), G, []int{7, 6}, matmul(mapDense(x, math.Exp), mapDense(y, func(a float64) float64 { return 2 * a })).v)
		check(t, exs, name("transpose"), X.Transpose(), []int{5, 7}, transpose(x).v)
		check(t, exs, name("transpose fused"), X.Exp().Transpose().Sqrt(), []int{5, 7}, mapDense(transpose(mapDense(x, math.Exp)), math.Sqrt).v)
		check(t, exs, name("transpose twice"), X.Transpose().Transpose().Add(X), []int{7, 5}, mapDense(x, func(a float64) float64 { return 2 * a }).v)
		xy := matmul(x, y)
		check(t, exs, name("rechunk computed"), X.MatMul(Y).Rechunk(4, 4), []int{7, 6}, xy.v)
		check(t, exs, name("rechunk generated"), X.Sqrt().Rechunk(2, 2).Add(X.Rechunk(2, 2)), []int{7, 5}, zip(mapDense(x, math.Sqrt), x, func(a, b float64) float64 { return a + b }).v)
		check(t, exs, name("sum of matmul"), X.MatMul(Y).Sum(0), []int{6}, reduceDense(xy, 0, sumOf))
		check(t, exs, name("reduction fed on"), X.MatMul(Y).Max(1).Scale(2), []int{7}, mapDense(dense{1, 7, reduceDense(xy, 1, maxOf)}, func(a float64) float64 { return 2 * a }).v)
		// Slices: of data, of a computed array, reduced.
		sub := func(d dense, r0, r1, c0, c1 int) dense {
			out := dense{r1 - r0, c1 - c0, nil}
			for i := r0; i < r1; i++ {
				out.v = append(out.v, d.v[i*d.c+c0:i*d.c+c1]...)
			}
			return out
		}
		check(t, exs, name("slice"), X.Slice([]int{1, 2}, []int{6, 5}), []int{5, 3}, sub(x, 1, 6, 2, 5).v)
		check(t, exs, name("slice fused"), X.Exp().Slice([]int{2, 1}, []int{7, 4}).Log(), []int{5, 3}, sub(x, 2, 7, 1, 4).v)
		check(t, exs, name("slice computed"), X.MatMul(Y).Slice([]int{3, 1}, []int{5, 6}), []int{2, 5}, sub(xy, 3, 5, 1, 6).v)
		check(t, exs, name("slice reduced"), X.Slice([]int{1, 1}, []int{7, 4}).Mean(0), []int{3}, reduceDense(sub(x, 1, 7, 1, 4), 0, meanOf))
		check(t, exs, name("slice of slice"), X.Slice([]int{1, 1}, []int{7, 5}).Slice([]int{2, 0}, []int{5, 2}), []int{3, 2}, sub(x, 3, 6, 1, 3).v)
	}
}

func TestGenerators(t *testing.T) {
	t.Parallel()
	exs := executors(t)
	for _, c := range []int{6, 4, 1} {
		check(t, exs, "zeros", array.Zeros([]int{3, 6}, []int{c, c}), []int{3, 6}, make([]float64, 18))
		ones := make([]float64, 18)
		for i := range ones {
			ones[i] = 1
		}
		check(t, exs, "ones", array.Ones([]int{6, 3}, []int{c, c}), []int{6, 3}, ones)
		check(t, exs, "arange", array.Arange(10, c), []int{10}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
		check(t, exs, "arange sum", array.Arange(10, c).Sum(), []int{}, []float64{45})
	}
	// Random arrays: the same values whatever the chunks and executor.
	ref, err := array.RandomNormal(9, 1, 2, []int{20, 30}, []int{20, 30}).Compute(t.Context(), exs["pool1"])
	if err != nil {
		t.Fatal(err)
	}
	uref, err := array.RandomUniform(9, -1, 3, []int{20, 30}, []int{20, 30}).Compute(t.Context(), exs["pool1"])
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range [][]int{{7, 11}, {1, 30}, {20, 1}, {3, 3}} {
		check(t, exs, fmt.Sprintf("normal %v", ch), array.RandomNormal(9, 1, 2, []int{20, 30}, ch), []int{20, 30}, ref.Data)
		check(t, exs, fmt.Sprintf("uniform %v", ch), array.RandomUniform(9, -1, 3, []int{20, 30}, ch), []int{20, 30}, uref.Data)
		check(t, exs, fmt.Sprintf("normal slice %v", ch), array.RandomNormal(9, 1, 2, []int{20, 30}, ch).Slice([]int{0, 10}, []int{1, 30}).Rechunk(1, 6),
			[]int{1, 20}, ref.Data[10:30])
	}
	for _, v := range uref.Data {
		if v < -1 || v >= 3 {
			t.Fatalf("uniform value %v outside [-1, 3)", v)
		}
	}
	other, err := array.RandomNormal(10, 1, 2, []int{20, 30}, []int{20, 30}).Compute(t.Context(), exs["pool1"])
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.Data, ref.Data) {
		t.Error("seeds 9 and 10 give the same normals")
	}
}

// TestNormalDistribution checks the moments and tails of a million
// normals against the standard normal's, with bounds about five standard
// errors wide.
func TestNormalDistribution(t *testing.T) {
	t.Parallel()
	p := shoal.NewPool(shoal.Workers(2))
	defer p.Close()
	const n = 1 << 20
	res, err := array.RandomNormal(42, 0, 1, []int{n}, []int{1 << 16}).Compute(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	var m1, m2, m3, m4 float64
	var over2, over3 int
	for _, x := range res.Data {
		m1 += x
		m2 += x * x
		m3 += x * x * x
		m4 += x * x * x * x
		if math.Abs(x) > 2 {
			over2++
		}
		if math.Abs(x) > 3 {
			over3++
		}
	}
	// A uniform array of the same seed is independent of the normals.
	u := array.RandomUniform(42, 0, 1, []int{n}, []int{1 << 16})
	z := array.RandomNormal(42, 0, 1, []int{n}, []int{1 << 16})
	cov, err := u.Mul(z).Mean().Scalar(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if r := cov / math.Sqrt(1.0/12); math.Abs(r) > 5/math.Sqrt(n) {
		t.Errorf("uniforms and normals of one seed correlate: r = %v", r)
	}
	m1, m2, m3, m4 = m1/n, m2/n, m3/n, m4/n
	se := 1 / math.Sqrt(n)
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"mean", m1, 0, 5 * se},
		{"variance", m2, 1, 5 * math.Sqrt(2) * se},
		{"skewness", m3, 0, 5 * math.Sqrt(15) * se},
		{"kurtosis", m4, 3, 5 * math.Sqrt(96) * se},
		{"P(|x|>2)", float64(over2) / n, 0.0455003, 5 * math.Sqrt(0.0455*(1-0.0455)/n)},
		{"P(|x|>3)", float64(over3) / n, 0.0026998, 5 * math.Sqrt(0.0027*(1-0.0027)/n)},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %v, want %v ± %v", c.name, c.got, c.want, c.tol)
		}
	}
}

// TestFusedSums checks the sums whose last operations run inside the
// summing loop, and those that do not.
func TestFusedSums(t *testing.T) {
	t.Parallel()
	exs := executors(t)
	x := randDense(7, 7, 5, 0.5, 2)
	y := randDense(8, 7, 5, 0.5, 2)
	add := func(a, b float64) float64 { return a + b }
	sub := func(a, b float64) float64 { return a - b }
	mul := func(a, b float64) float64 { return a * b }
	div := func(a, b float64) float64 { return a / b }
	for _, ch := range chunkings {
		X := array.FromSlice(x.v, []int{7, 5}, ch)
		Y := array.FromSlice(y.v, []int{7, 5}, ch)
		G := array.RandomUniform(3, 1, 2, []int{7, 5}, ch)
		g, err := G.Compute(t.Context(), exs["pool1"])
		if err != nil {
			t.Fatal(err)
		}
		gd := dense{7, 5, g.Data}
		cases := []struct {
			name string
			a    *array.Array
			want dense
		}{
			{"(x+y)*x sqrt", X.Add(Y).Mul(X).Sqrt(), mapDense(zip(zip(x, y, add), x, mul), math.Sqrt)},
			{"(x-y)/x", X.Sub(Y).Div(X), zip(zip(x, y, sub), x, div)},
			{"(x*g)+y exp", X.Mul(G).Add(Y).Exp(), mapDense(zip(zip(x, gd, mul), y, add), math.Exp)},
			{"(x/y)-g scale", X.Div(Y).Sub(G).Scale(3), mapDense(zip(zip(x, y, div), gd, sub), func(v float64) float64 { return 3 * v })},
			{"x*y", X.Mul(Y), zip(x, y, mul)},
			{"x+y sqrt", X.Add(Y).Sqrt(), mapDense(zip(x, y, add), math.Sqrt)},
			{"sqrt(x)/y log", X.Sqrt().Div(Y).Log(), mapDense(zip(mapDense(x, math.Sqrt), y, div), math.Log)},
			{"x-y pow", X.Sub(Y).Pow(2), mapDense(zip(x, y, sub), powBy(2))},
			{"x sqrt", X.Sqrt(), mapDense(x, math.Sqrt)},
			{"x apply", X.Apply("cube"), mapDense(x, powBy(3))},
			{"g", G, gd},
		}
		for _, c := range cases {
			check(t, exs, fmt.Sprintf("sum %s %v", c.name, ch), c.a.Sum(), []int{}, []float64{sumOf(c.want.v)})
			check(t, exs, fmt.Sprintf("mean %s %v", c.name, ch), c.a.Mean(), []int{}, []float64{meanOf(c.want.v)})
		}
	}
}

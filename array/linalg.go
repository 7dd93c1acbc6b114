package array

import (
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/shoal-go/shoal"
)

// MatMul returns the matrix product a·b of an m×k and a k×n matrix. The
// chunks of a's columns must be those of b's rows (ErrChunks; Rechunk one
// of them), and both must be matrices of matching inner length
// (ErrShape).
//
// Each chunk of the product is one task, which multiplies the row of a's
// chunks by the column of b's with gonum's BLAS (blas64.Gemm). The
// operands are computed first, unless they are FromSlice arrays, which
// are read in place on a pool; on a cluster their chunks are shared as
// shoal.Refs and each task fetches those it needs. A Transpose operand
// is not computed: the task multiplies by the transposed chunks.
func (a *Array) MatMul(b *Array) *Array {
	n, err := derive(opMatMul, a, b)
	if err != nil {
		return invalid(err)
	}
	x, y := a.n, b.n
	if x.ndim != 2 || y.ndim != 2 || x.cols != y.rows {
		return invalid(fmt.Errorf("%w: MatMul of shapes %v and %v: need m×k and k×n matrices", ErrShape, x.shape(), y.shape()))
	}
	if !slices.Equal(x.cb, y.rb) {
		return invalid(fmt.Errorf("%w: MatMul: the chunks of a's columns %v differ from those of b's rows %v", ErrChunks, x.cb, y.rb))
	}
	n.rows, n.cols, n.rb, n.cb = x.rows, y.cols, x.rb, y.cb
	return &Array{n: n}
}

// Transpose returns the transpose of a matrix, whose chunks are a's
// transposed; a vector or a scalar is its own transpose (as in NumPy).
func (a *Array) Transpose() *Array {
	if a.Err() != nil || a.n.ndim < 2 {
		return a
	}
	n, _ := derive(opTranspose, a)
	n.rows, n.cols, n.rb, n.cb = a.n.cols, a.n.rows, a.n.cb, a.n.rb
	return &Array{n: n}
}

// Slice returns the part of a from start (inclusive) to stop (exclusive)
// along each dimension, one value of each per dimension, as a[s0:e0,
// s1:e1] in NumPy (no steps, no negative indices). Its chunks are a's,
// cut at start and stop, so the first and last may be shorter. Bounds
// outside a, or start after stop, are an error wrapping ErrShape.
// Slicing a computed array (MatMul, Transpose, a reduction…) reads the
// chunks it needs; slicing a generated or elementwise array computes only
// the sliced elements.
func (a *Array) Slice(start, stop []int) *Array {
	n, err := derive(opSlice, a)
	if err != nil {
		return invalid(err)
	}
	in := a.n
	if len(start) != in.ndim || len(stop) != in.ndim {
		return invalid(fmt.Errorf("%w: Slice(%v, %v) of shape %v: need one start and one stop per dimension", ErrShape, start, stop, in.shape()))
	}
	shape := in.shape()
	for d := range shape {
		if start[d] < 0 || start[d] > stop[d] || stop[d] > shape[d] {
			return invalid(fmt.Errorf("%w: Slice(%v, %v) of shape %v: out of bounds", ErrShape, start, stop, shape))
		}
	}
	cut := func(b []int, lo, hi int) []int {
		out := []int{0}
		for _, x := range b[1:] {
			if x > lo && x < hi {
				out = append(out, x-lo)
			}
		}
		if hi > lo {
			out = append(out, hi-lo)
		}
		return out
	}
	if in.ndim == 1 {
		n.c0, n.cols, n.cb = start[0], stop[0]-start[0], cut(in.cb, start[0], stop[0])
	} else {
		n.r0, n.rows, n.rb = start[0], stop[0]-start[0], cut(in.rb, start[0], stop[0])
		n.c0, n.cols, n.cb = start[1], stop[1]-start[1], cut(in.cb, start[1], stop[1])
	}
	return &Array{n: n}
}

// Rechunk returns a with new chunk lengths, one per dimension, as the
// constructors take them. Rechunking a generated or elementwise array
// costs nothing: its chunks are computed in the new shape. A computed
// array (MatMul, Transpose, a reduction…) is computed first and its
// chunks are copied into the new ones.
func (a *Array) Rechunk(chunks ...int) *Array {
	n, err := derive(opRechunk, a)
	if err != nil {
		return invalid(err)
	}
	if a.n.ndim == 0 {
		return a
	}
	l, err := layout(a.n.shape(), chunks)
	if err != nil {
		return invalid(err)
	}
	n.rb, n.cb = l.rb, l.cb
	return &Array{n: n}
}

// mmTask is the argument of matMulChunk: one chunk of a product, the sum
// of A[k]·B[k] (each transposed first if TA, TB).
type mmTask struct {
	Rows, Cols int
	A, B       []block
	TA, TB     bool
	Share      bool
}

func init() { shoal.Register(matMulChunk, shoal.Name("array.matMulChunk")) }

func matMulChunk(ctx context.Context, t mmTask) (block, error) {
	taskRuns.Add(1)
	out := make([]float64, t.Rows*t.Cols)
	c := blas64.General{Rows: t.Rows, Cols: t.Cols, Stride: t.Cols, Data: out}
	ta, tb := blas.NoTrans, blas.NoTrans
	if t.TA {
		ta = blas.Trans
	}
	if t.TB {
		tb = blas.Trans
	}
	if len(t.A) != len(t.B) {
		return block{}, fmt.Errorf("array: a product of %d by %d chunks", len(t.A), len(t.B))
	}
	for k := range t.A {
		if err := ctx.Err(); err != nil {
			return block{}, err
		}
		a, err := general(ctx, &t.A[k])
		if err != nil {
			return block{}, err
		}
		b, err := general(ctx, &t.B[k])
		if err != nil {
			return block{}, err
		}
		ar, ac, br, bc := a.Rows, a.Cols, b.Rows, b.Cols
		if t.TA {
			ar, ac = ac, ar
		}
		if t.TB {
			br, bc = bc, br
		}
		if ar != t.Rows || bc != t.Cols || ac != br {
			return block{}, fmt.Errorf("array: a %d×%d chunk as the product of %d×%d and %d×%d", t.Rows, t.Cols, ar, ac, br, bc)
		}
		if t.Rows*t.Cols == 0 || ac == 0 {
			continue
		}
		blas64.Gemm(ta, tb, 1, a, b, 1, c)
	}
	return share(ctx, t.Share, t.Rows, t.Cols, out)
}

func general(ctx context.Context, b *block) (blas64.General, error) {
	v, err := b.values(ctx)
	if err != nil {
		return blas64.General{}, err
	}
	g := blas64.General{Rows: b.Rows, Cols: b.Cols, Stride: max(b.Stride, b.Cols, 1)}
	if b.Rows*b.Cols > 0 {
		g.Data = v[b.Off:]
	}
	return g, nil
}

// operandOf returns the node a MatMul reads for operand n, and whether
// that node holds the operand transposed: a Transpose is read in place.
func operandOf(n *node) (*node, bool) {
	if n.op == opTranspose {
		return n.in[0], true
	}
	return n, false
}

// operand returns the grid of a MatMul operand and whether it holds the
// operand transposed.
func (r *run) operand(n *node) (*grid, bool, error) {
	m, t := operandOf(n)
	g, err := r.materialise(m, true)
	return g, t, err
}

func (r *run) matmul(n *node, share bool) (*grid, error) {
	var ops []*node
	for _, in := range n.in {
		if m, _ := operandOf(in); !slices.Contains(ops, m) {
			ops = append(ops, m)
		}
	}
	if err := r.prefetch(ops); err != nil {
		return nil, err
	}
	ga, ta, err := r.operand(n.in[0])
	if err != nil {
		return nil, err
	}
	gb, tb, err := r.operand(n.in[1])
	if err != nil {
		return nil, err
	}
	chunk := func(g *grid, t bool, i, j int) block {
		if t {
			return *g.at(j, i)
		}
		return *g.at(i, j)
	}
	nr, nc := n.nchunks()
	inner := len(n.in[0].cb) - 1
	tasks := make([]mmTask, 0, nr*nc)
	for i := range nr {
		for j := range nc {
			t := mmTask{Rows: n.rb[i+1] - n.rb[i], Cols: n.cb[j+1] - n.cb[j], TA: ta, TB: tb, Share: share}
			for k := range inner {
				t.A = append(t.A, chunk(ga, ta, i, k))
				t.B = append(t.B, chunk(gb, tb, k, j))
			}
			tasks = append(tasks, t)
		}
	}
	res, err := shoal.Map(r.ctx, r.ex, tasks, matMulChunk, r.opts...)
	if err != nil {
		return nil, err
	}
	for _, b := range res {
		r.keep(b, share)
	}
	return &grid{n: n, blocks: res}, nil
}

// piece is a part of an assembled chunk: the Rows×Cols region at (SR, SC)
// of Src, copied to (DR, DC).
type piece struct {
	Src                        block
	SR, SC, DR, DC, Rows, Cols int
}

// asmTask is the argument of assembleChunk: a chunk made of pieces of
// others (Rechunk), or the transpose of one (T).
type asmTask struct {
	Rows, Cols int
	Pieces     []piece
	T          bool
	Share      bool
}

func init() { shoal.Register(assembleChunk, shoal.Name("array.assembleChunk")) }

func assembleChunk(ctx context.Context, t asmTask) (block, error) {
	taskRuns.Add(1)
	out := make([]float64, t.Rows*t.Cols)
	for _, p := range t.Pieces {
		v, err := p.Src.values(ctx)
		if err != nil {
			return block{}, err
		}
		src := p.Src
		dr, dc := p.Rows, p.Cols // the piece's extent in the chunk
		if t.T {
			dr, dc = dc, dr
		}
		if p.Rows < 0 || p.Cols < 0 || p.SR < 0 || p.SC < 0 || p.SR+p.Rows > src.Rows || p.SC+p.Cols > src.Cols ||
			p.DR < 0 || p.DC < 0 || p.DR+dr > t.Rows || p.DC+dc > t.Cols {
			return block{}, fmt.Errorf("array: a piece %d×%d at (%d, %d) of a %d×%d block does not fit (%d, %d) of a %d×%d chunk",
				p.Rows, p.Cols, p.SR, p.SC, src.Rows, src.Cols, p.DR, p.DC, t.Rows, t.Cols)
		}
		for r := range p.Rows {
			row := v[src.Off+(p.SR+r)*src.Stride+p.SC:][:p.Cols]
			if t.T { // source row r is column DC+r of the chunk
				for c, x := range row {
					out[(p.DR+c)*t.Cols+p.DC+r] = x
				}
				continue
			}
			copy(out[(p.DR+r)*t.Cols+p.DC:], row)
		}
	}
	return share(ctx, t.Share, t.Rows, t.Cols, out)
}

// assemble computes a Transpose or a Rechunk of a computed array.
func (r *run) assemble(n *node, share bool) (*grid, error) {
	in := n.in[0]
	g, err := r.materialise(in, true)
	if err != nil {
		return nil, err
	}
	nr, nc := n.nchunks()
	tasks := make([]asmTask, 0, nr*nc)
	for i := range nr {
		for j := range nc {
			t := asmTask{Rows: n.rb[i+1] - n.rb[i], Cols: n.cb[j+1] - n.cb[j], Share: share}
			if n.op == opTranspose {
				b := *g.at(j, i)
				t.T = true
				t.Pieces = []piece{{Src: b, Rows: b.Rows, Cols: b.Cols}}
			} else {
				r0, r1, c0, c1 := n.rb[i], n.rb[i+1], n.cb[j], n.cb[j+1]
				for ii := chunkOf(in.rb, r0); ii < len(in.rb)-1 && in.rb[ii] < r1; ii++ {
					for jj := chunkOf(in.cb, c0); jj < len(in.cb)-1 && in.cb[jj] < c1; jj++ {
						lo, hi := max(r0, in.rb[ii]), min(r1, in.rb[ii+1])
						clo, chi := max(c0, in.cb[jj]), min(c1, in.cb[jj+1])
						t.Pieces = append(t.Pieces, piece{Src: *g.at(ii, jj),
							SR: lo - in.rb[ii], SC: clo - in.cb[jj], DR: lo - r0, DC: clo - c0,
							Rows: hi - lo, Cols: chi - clo})
					}
				}
			}
			tasks = append(tasks, t)
		}
	}
	res, err := shoal.Map(r.ctx, r.ex, tasks, assembleChunk, r.opts...)
	if err != nil {
		return nil, err
	}
	for _, b := range res {
		r.keep(b, share)
	}
	return &grid{n: n, blocks: res}, nil
}

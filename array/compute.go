package array

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/shoal-go/shoal"
)

// taskRuns counts the chunk tasks this process has run, and
// sharedChunks the chunks computed on a cluster that stayed there as
// Refs (for tests).
var taskRuns, sharedChunks atomic.Int64

// Result is a computed array: its shape (as Array.Shape) and its values
// in row-major order.
type Result struct {
	Shape []int
	Data  []float64
}

// Dense returns the values as a gonum matrix, without copying them: rows
// and columns for a matrix, one row for a vector, 1×1 for a scalar. It
// panics, as mat.NewDense does, for an array with no elements.
func (r Result) Dense() *mat.Dense {
	switch len(r.Shape) {
	case 0:
		return mat.NewDense(1, 1, r.Data)
	case 1:
		return mat.NewDense(1, r.Shape[0], r.Data)
	}
	return mat.NewDense(r.Shape[0], r.Shape[1], r.Data)
}

// Compute runs the graph of a on ex — a *shoal.Pool or a cluster
// executor — and returns its values. It blocks until they are computed,
// ctx is done (it then returns ctx's error promptly, and no task of the
// call is left running), or a task fails (its error, inside a
// *shoal.TaskError; a panic in an Apply function as a *shoal.PanicError).
// An invalid a returns its Err without running anything, and an invalid
// option an error wrapping shoal.ErrInvalidOption. A nil ex panics.
//
// The graph runs as a few shoal.Map calls, one per stage (see Graph): the
// chunk tasks of each stage run in parallel, stages that need whole
// chunks of an earlier stage (MatMul, Transpose, Rechunk of a computed
// array) run after it, and stages that do not depend on each other (the
// two operands of a MatMul, two reductions added together) run at the
// same time; the first stage to fail stops the others. opts go to every
// one of those Map calls, so shoal.Progress and shoal.OnProgress count the
// chunk tasks of each stage, of several at once while stages overlap;
// shoal.ChunkSize(1) is the default, as chunk tasks are long.
//
// Compute may be called any number of times, concurrently too: it
// recomputes everything each time (nothing is cached between calls).
func (a *Array) Compute(ctx context.Context, ex shoal.Executor, opts ...shoal.Option) (Result, error) {
	if err := a.Err(); err != nil {
		return Result{}, err
	}
	if ex == nil {
		panic("array: Compute with a nil executor")
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	r := newRun(ctx, ex, opts)
	defer r.end()
	data, err := r.dense(a.n)
	if err != nil {
		return Result{}, err
	}
	return Result{Shape: a.n.shape(), Data: data}, nil
}

// Dense is Compute returning a gonum matrix (see Result.Dense).
func (a *Array) Dense(ctx context.Context, ex shoal.Executor, opts ...shoal.Option) (*mat.Dense, error) {
	res, err := a.Compute(ctx, ex, opts...)
	if err != nil {
		return nil, err
	}
	if len(res.Data) == 0 {
		return nil, fmt.Errorf("%w: a gonum matrix cannot be empty", ErrShape)
	}
	return res.Dense(), nil
}

// Scalar is Compute for a scalar (the result of a full reduction, such
// as Mean()): its one value. Any other shape is an error wrapping
// ErrShape.
func (a *Array) Scalar(ctx context.Context, ex shoal.Executor, opts ...shoal.Option) (float64, error) {
	if err := a.Err(); err != nil {
		return 0, err
	}
	if a.n.ndim != 0 {
		return 0, fmt.Errorf("%w: Scalar of an array of shape %v", ErrShape, a.n.shape())
	}
	res, err := a.Compute(ctx, ex, opts...)
	if err != nil {
		return 0, err
	}
	return res.Data[0], nil
}

// run is one Compute: the stages computed or being computed, and the
// values shared on a cluster, released at the end.
type run struct {
	ctx    context.Context
	stop   context.CancelCauseFunc // ends ctx: a stage failed, or the run is over
	ex     shoal.Executor
	pool   bool
	opts   []shoal.Option
	mu     sync.Mutex
	memo   map[*node]*stage
	shared []shoal.Ref[[]float64] // under mu
}

// stage is a node computed whole, once, by the first goroutine that needs
// it; the others wait for done.
type stage struct {
	done chan struct{}
	g    *grid
	err  error
}

// grid is a computed array: a block per chunk, row-major.
type grid struct {
	n      *node
	blocks []block
}

func (g *grid) at(i, j int) *block { return &g.blocks[i*(len(g.n.cb)-1)+j] }

// window returns the block of g's values for the region of rows×cols at
// (r0, c0), which lies within one chunk.
func (g *grid) window(r0, c0, rows, cols int) block {
	i := chunkOf(g.n.rb, r0)
	j := chunkOf(g.n.cb, c0)
	b := *g.at(i, j)
	b.Off += (r0-g.n.rb[i])*b.Stride + (c0 - g.n.cb[j])
	b.Rows, b.Cols = rows, cols
	return b
}

// chunkOf returns the chunk of bounds b holding position x.
func chunkOf(b []int, x int) int {
	i, found := slices.BinarySearch(b, x)
	if !found {
		i--
	}
	return min(i, len(b)-2)
}

func newRun(ctx context.Context, ex shoal.Executor, opts []shoal.Option) *run {
	_, pool := ex.(*shoal.Pool)
	all := append([]shoal.Option{shoal.ChunkSize(1)}, opts...)
	ctx, stop := context.WithCancelCause(ctx)
	return &run{ctx: ctx, stop: stop, ex: ex, pool: pool, opts: all, memo: map[*node]*stage{}}
}

// end releases what the run shared and ends its context.
func (r *run) end() {
	r.release()
	r.stop(nil)
}

// releaseTimeout bounds the wait for a cluster to release a run's chunks.
const releaseTimeout = 30 * time.Second

// release frees what the run shared on a cluster, best effort (only
// memory is at stake), even when the run's context is done.
func (r *run) release() {
	if len(r.shared) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), releaseTimeout)
	defer cancel()
	_, _ = shoal.Submit(ctx, r.ex, releaseChunks, r.shared).Get(ctx)
}

func init() { shoal.Register(releaseChunks, shoal.Name("array.releaseChunks")) }

// releaseChunks releases shared chunks, on a cluster worker.
func releaseChunks(ctx context.Context, refs []shoal.Ref[[]float64]) (struct{}, error) {
	for _, ref := range refs {
		_ = ref.Release(ctx)
	}
	return struct{}{}, nil
}

// dense computes n and returns its values, row-major.
func (r *run) dense(n *node) ([]float64, error) {
	if n.op == opReduce {
		return r.reduce(n)
	}
	g, err := r.materialise(n, false)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n.rows*n.cols)
	nr, nc := n.nchunks()
	for i := range nr {
		for j := range nc {
			b := g.at(i, j)
			v, err := b.values(r.ctx)
			if err != nil {
				return nil, err
			}
			for k := range b.Rows {
				copy(out[(n.rb[i]+k)*n.cols+n.cb[j]:][:b.Cols], v[b.Off+k*b.Stride:])
			}
		}
	}
	return out, nil
}

// fusable reports whether n is computed inside the programs of the
// chunk tasks that use it, rather than materialised first.
func fusable(n *node) bool {
	switch n.op {
	case opConst, opArange, opNormal, opUniform, opData, opUnary, opBinary, opSlice:
		return true
	case opRechunk:
		return onlyGenerators(n.in[0])
	}
	return false
}

// onlyGenerators reports whether the fused program of n reads nothing
// but generators and FromSlice data, so that it can compute any region.
func onlyGenerators(n *node) bool {
	switch n.op {
	case opConst, opArange, opNormal, opUniform, opData:
		return true
	case opUnary, opBinary, opSlice, opRechunk:
		for _, in := range n.in {
			if !onlyGenerators(in) {
				return false
			}
		}
		return true
	}
	return false
}

// materialise computes every chunk of n, once per run however many
// goroutines ask. With share, the chunks are for later tasks: on a
// cluster they stay there, as Refs.
func (r *run) materialise(n *node, share bool) (*grid, error) {
	r.mu.Lock()
	if s, ok := r.memo[n]; ok {
		r.mu.Unlock()
		<-s.done // its Map calls return once the run's context ends
		return s.g, s.err
	}
	s := &stage{done: make(chan struct{})}
	r.memo[n] = s
	r.mu.Unlock()
	s.g, s.err = r.compute(n, share)
	close(s.done)
	return s.g, s.err
}

// compute computes every chunk of n (see materialise).
func (r *run) compute(n *node, share bool) (*grid, error) {
	var g *grid
	var err error
	switch {
	case n.op == opData:
		g, err = r.values(n, n.data)
	case n.op == opReduce:
		var v []float64
		if v, err = r.reduce(n); err == nil {
			g, err = r.values(n, v)
		}
	case fusable(n):
		g, err = r.fused(n, share)
	case n.op == opMatMul:
		g, err = r.matmul(n, share)
	case n.op == opTranspose, n.op == opRechunk:
		g, err = r.assemble(n, share)
	default:
		err = fmt.Errorf("array: cannot compute operation %d", n.op)
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// prefetch computes at the same time the stages of ns, when there are
// several: they do not depend on each other, or the first would be
// computed inside the other. The first to fail stops the rest, and its
// error is the one returned.
func (r *run) prefetch(ns []*node) error {
	if len(ns) < 2 {
		return nil // computed when it is read
	}
	errs := make([]error, len(ns))
	var wg sync.WaitGroup
	for i, n := range ns {
		wg.Go(func() {
			if _, errs[i] = r.materialise(n, true); errs[i] != nil {
				r.stop(errs[i])
			}
		})
	}
	wg.Wait()
	if err := context.Cause(r.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err // the stage that failed first, not those it stopped
	}
	for _, err := range errs {
		if err != nil {
			return err // ctx's error
		}
	}
	return nil
}

// reads appends to out the nodes the fused program of n reads whole: the
// first that are not fusable on each path from n, each a stage of its own,
// as program walks them.
func reads(n *node, out []*node) []*node {
	if fusable(n) {
		for _, in := range n.in { // generators and data have none
			out = reads(in, out)
		}
		return out
	}
	if slices.Contains(out, n) {
		return out
	}
	return append(out, n)
}

// values returns a grid over data, n's values in row-major order: views
// on a pool, a shared copy of each chunk on a cluster.
func (r *run) values(n *node, data []float64) (*grid, error) {
	nr, nc := n.nchunks()
	g := &grid{n: n, blocks: make([]block, nr*nc)}
	for i := range nr {
		for j := range nc {
			b := block{Rows: n.rb[i+1] - n.rb[i], Cols: n.cb[j+1] - n.cb[j]}
			if r.pool {
				b.Data, b.Off, b.Stride = data, n.rb[i]*n.cols+n.cb[j], n.cols
			} else {
				v := copyRegion(data, n.cols, n.rb[i], n.cb[j], b.Rows, b.Cols)
				ref, err := shoal.Put(r.ctx, r.ex, v)
				if err != nil {
					return nil, err
				}
				r.mu.Lock()
				r.shared = append(r.shared, ref)
				r.mu.Unlock()
				b.Ref, b.Stride = ref, b.Cols
			}
			*g.at(i, j) = b
		}
	}
	return g, nil
}

// copyRegion copies the rows×cols region at (r0, c0) of a row-major
// array with the given columns.
func copyRegion(data []float64, width, r0, c0, rows, cols int) []float64 {
	v := make([]float64, rows*cols)
	for k := range rows {
		copy(v[k*cols:(k+1)*cols], data[(r0+k)*width+c0:])
	}
	return v
}

// program returns the fused program computing the region rows×cols at
// (r0, c0) of n, materialising the inputs it reads whole.
func (r *run) program(n *node, r0, c0, rows, cols int) (prog, error) {
	p := prog{Rows: rows, Cols: cols}
	var walk func(m *node, r0, c0 int) error
	walk = func(m *node, r0, c0 int) error {
		switch {
		case m.op == opUnary:
			if err := walk(m.in[0], r0, c0); err != nil {
				return err
			}
			p.Code = append(p.Code, instr{Op: m.code, X: m.x, Fn: m.fn})
			return nil
		case m.op == opBinary:
			if err := walk(m.in[0], r0, c0); err != nil {
				return err
			}
			if err := walk(m.in[1], r0, c0); err != nil {
				return err
			}
			p.Code = append(p.Code, instr{Op: m.code})
			return nil
		case m.op == opSlice:
			return walk(m.in[0], r0+m.r0, c0+m.c0)
		case m.op == opRechunk && fusable(m):
			return walk(m.in[0], r0, c0)
		}
		l := leaf{Kind: m.op, Seed: m.seed, A: m.a, B: m.b, Width: m.cols, R0: r0, C0: c0}
		switch m.op {
		case opConst, opArange, opNormal, opUniform:
		case opData:
			l.Blk = block{Rows: rows, Cols: cols, Stride: m.cols, Off: r0*m.cols + c0, Data: m.data}
			if !r.pool { // the region travels with the task
				l.Blk = block{Rows: rows, Cols: cols, Stride: cols, Data: copyRegion(m.data, m.cols, r0, c0, rows, cols)}
			}
		default:
			g, err := r.materialise(m, true)
			if err != nil {
				return err
			}
			l.Kind, l.Blk = opData, g.window(r0, c0, rows, cols)
		}
		p.Code = append(p.Code, instr{Op: 0, Leaf: len(p.Leaves)})
		p.Leaves = append(p.Leaves, l)
		return nil
	}
	err := walk(n, r0, c0)
	return p, err
}

// fused computes the chunks of a fusable n, one task per chunk.
func (r *run) fused(n *node, share bool) (*grid, error) {
	if err := r.prefetch(reads(n, nil)); err != nil {
		return nil, err
	}
	nr, nc := n.nchunks()
	tasks := make([]chunkTask, 0, nr*nc)
	for i := range nr {
		for j := range nc {
			p, err := r.program(n, n.rb[i], n.cb[j], n.rb[i+1]-n.rb[i], n.cb[j+1]-n.cb[j])
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, chunkTask{Progs: []prog{p}, Share: share})
		}
	}
	res, err := shoal.Map(r.ctx, r.ex, tasks, runChunks, r.opts...)
	if err != nil {
		return nil, err
	}
	g := &grid{n: n, blocks: make([]block, len(res))}
	for k, x := range res {
		g.blocks[k] = x.Blocks[0]
		r.keep(x.Blocks[0], share)
	}
	return g, nil
}

// keep records a block shared on a cluster, for release.
func (r *run) keep(b block, share bool) {
	if share && !r.pool && b.Data == nil && b.Rows*b.Cols > 0 {
		r.mu.Lock()
		r.shared = append(r.shared, b.Ref)
		r.mu.Unlock()
		sharedChunks.Add(1)
	}
}

// splitEvery is how many chunks one reduction task reduces, combining
// their partials before returning one: the first level of the tree.
const splitEvery = 4

// reduce computes a reduction node: tasks reduce up to splitEvery chunks
// each (fusing the chunks' computation with their reduction), and the
// caller combines the tasks' partials pairwise, in order, for each output
// chunk.
func (r *run) reduce(n *node) ([]float64, error) {
	in := n.in[0]
	if err := r.prefetch(reads(in, nil)); err != nil {
		return nil, err
	}
	nr, nc := in.nchunks()
	var tasks []chunkTask
	var outOf []int // the output chunk of each task
	add := func(out int, chunks [][2]int) error {
		for lo := 0; lo < len(chunks); lo += splitEvery {
			t := chunkTask{Red: n.code, Axis: n.axis}
			for _, c := range chunks[lo:min(lo+splitEvery, len(chunks))] {
				i, j := c[0], c[1]
				p, err := r.program(in, in.rb[i], in.cb[j], in.rb[i+1]-in.rb[i], in.cb[j+1]-in.cb[j])
				if err != nil {
					return err
				}
				t.Progs = append(t.Progs, p)
			}
			tasks = append(tasks, t)
			outOf = append(outOf, out)
		}
		return nil
	}
	var outs int
	switch n.axis {
	case -1:
		outs = 1
		var all [][2]int
		for i := range nr {
			for j := range nc {
				all = append(all, [2]int{i, j})
			}
		}
		if err := add(0, all); err != nil {
			return nil, err
		}
	case 0:
		outs = nc
		for j := range nc {
			var col [][2]int
			for i := range nr {
				col = append(col, [2]int{i, j})
			}
			if err := add(j, col); err != nil {
				return nil, err
			}
		}
	case 1:
		outs = nr
		for i := range nr {
			var row [][2]int
			for j := range nc {
				row = append(row, [2]int{i, j})
			}
			if err := add(i, row); err != nil {
				return nil, err
			}
		}
	}
	res, err := shoal.Map(r.ctx, r.ex, tasks, runChunks, r.opts...)
	if err != nil {
		return nil, err
	}
	parts := make([][]partial, outs)
	for k, x := range res {
		parts[outOf[k]] = append(parts[outOf[k]], x.Part)
	}
	out := make([]float64, 0, n.rows*n.cols)
	for o := range outs {
		var length int
		switch n.axis {
		case -1:
			length = 1
		case 0:
			length = in.cb[o+1] - in.cb[o]
		case 1:
			length = in.rb[o+1] - in.rb[o]
		}
		p := tree(n.code, parts[o])
		if p.N == 0 {
			if n.code != rSum {
				return nil, fmt.Errorf("%w: %s of shape %v", ErrEmpty, redNames[n.code], in.shape())
			}
			p.Val = make([]float64, length)
		}
		out = append(out, finish(n.code, p)...)
	}
	if len(out) != n.rows*n.cols { // an axis of length 0 has no chunk to reduce
		if n.code != rSum {
			return nil, fmt.Errorf("%w: %s of shape %v", ErrEmpty, redNames[n.code], in.shape())
		}
		out = make([]float64, n.rows*n.cols)
	}
	return out, nil
}

// tree combines partials pairwise: neighbours first, as a balanced tree.
func tree(red uint8, ps []partial) partial {
	switch len(ps) {
	case 0:
		return partial{}
	case 1:
		return ps[0]
	}
	h := len(ps) / 2
	return combine(red, tree(red, ps[:h]), tree(red, ps[h:]))
}

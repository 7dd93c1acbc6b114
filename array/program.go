package array

import (
	"context"
	"fmt"
	"math"

	"github.com/shoal-go/shoal"
)

// A chunk task is data: a program per chunk, evaluated by runChunks (a
// function registered with shoal), so the same task runs on a pool and on
// a cluster. The types below travel as CBOR on a cluster, hence their
// exported fields.

// block is the values of one computed chunk, or of a window of a
// FromSlice array: Rows×Cols values, row r starting at Data[Off+r*Stride]
// — or, on a cluster, in the shared Ref (compact, Stride = Cols).
type block struct {
	Rows, Cols  int
	Off, Stride int
	Data        []float64
	Ref         shoal.Ref[[]float64]
}

// values returns the block's backing slice, fetching it on a cluster.
func (b *block) values(ctx context.Context) ([]float64, error) {
	if b.Rows*b.Cols == 0 {
		return b.Data, nil
	}
	v := b.Data
	if v == nil {
		var err error
		if v, err = b.Ref.Get(ctx); err != nil {
			return nil, fmt.Errorf("array: fetching a chunk: %w", err)
		}
	}
	// A task is data from the driver: check it, so that a bad one fails
	// with an error rather than an index out of range.
	if b.Rows < 0 || b.Cols < 0 || b.Off < 0 || b.Stride < b.Cols || len(v) < b.Off+(b.Rows-1)*b.Stride+b.Cols {
		return nil, fmt.Errorf("array: a chunk of %d values cannot hold %d×%d from %d with stride %d", len(v), b.Rows, b.Cols, b.Off, b.Stride)
	}
	return v, nil
}

// leaf is an input of a program: a generator, evaluated on the fly from
// the element's position, or a block of values.
type leaf struct {
	Kind  opKind
	Seed  uint64
	A, B  float64
	Width int // the generated array's columns: flat index r*Width + c
	// R0 and C0 are the position in the leaf's array of the program's
	// first element (a slice moves it).
	R0, C0 int
	Blk    block
}

// instr is one step of a program's stack machine: push a leaf (Op 0), or
// apply an elementwise operation to the top of the stack.
type instr struct {
	Op   uint8
	Leaf int
	X    float64
	Fn   string
}

// prog computes a Rows×Cols chunk of a fused chain of elementwise
// operations.
type prog struct {
	Rows, Cols int
	Leaves     []leaf
	Code       []instr
}

// chunkTask is the argument of runChunks: programs, and what to do with
// their values.
type chunkTask struct {
	Progs []prog
	// Red is 0 to return each program's chunk; otherwise the reduction
	// (rSum…) of all of them, along Axis (-1: all; 0: down the rows, one
	// value per column; 1: along the rows, one per row), as one partial.
	Red  uint8
	Axis int
	// Share asks for the chunks as shoal.Refs when the task runs on a
	// cluster, so that later tasks read them there.
	Share bool
}

type chunkResult struct {
	Blocks []block
	Part   partial
}

// blockLen is how many elements a program evaluates at a time: its stack
// of blocks stays in the core's cache, so a chain of operations is one
// pass over memory.
const blockLen = 256

func init() { shoal.Register(runChunks, shoal.Name("array.runChunks")) }

// runChunks evaluates the programs of t.
func runChunks(ctx context.Context, t chunkTask) (chunkResult, error) {
	taskRuns.Add(1)
	var res chunkResult
	ev := evaluator{}
	for i := range t.Progs {
		p := &t.Progs[i]
		if err := ev.load(ctx, p); err != nil {
			return res, err
		}
		if t.Red == 0 {
			out := make([]float64, p.Rows*p.Cols)
			if err := ev.each(ctx, func(t0 int, v []float64) { copy(out[t0:], v) }); err != nil {
				return res, err
			}
			b, err := share(ctx, t.Share, p.Rows, p.Cols, out)
			if err != nil {
				return res, err
			}
			res.Blocks = append(res.Blocks, b)
			continue
		}
		acc := newAccumulator(t.Red, t.Axis, p.Rows, p.Cols)
		add := acc.add
		if (t.Red == rSum || t.Red == rMean) && t.Axis < 0 {
			if f := ev.sumSink(acc); f != nil {
				add = f
			}
		}
		if err := ev.each(ctx, add); err != nil {
			return res, err
		}
		part := acc.partial()
		if i == 0 {
			res.Part = part
		} else {
			res.Part = combine(t.Red, res.Part, part)
		}
	}
	return res, nil
}

// share returns out as a block: in place on a pool or when not shared,
// as a Ref on a cluster.
func share(ctx context.Context, want bool, rows, cols int, out []float64) (block, error) {
	b := block{Rows: rows, Cols: cols, Stride: cols}
	ex := shoal.From(ctx)
	if _, pool := ex.(*shoal.Pool); pool || !want {
		b.Data = out
		return b, nil
	}
	ref, err := shoal.Put(ctx, ex, out)
	if err != nil {
		return b, fmt.Errorf("array: sharing a chunk: %w", err)
	}
	b.Ref = ref
	return b, nil
}

// evaluator runs one program at a time, block by block.
type evaluator struct {
	p    *prog
	vals [][]float64 // each leaf's block values
	keys []uint64    // each random leaf's first-round key
	fns  []func(float64) float64
	stop int         // run the code up to this instruction (load sets it to all)
	own  [][]float64 // a buffer per stack slot
	cur  [][]float64 // the values on the stack: a slot's buffer, or a leaf's values read in place
}

func (e *evaluator) load(ctx context.Context, p *prog) error {
	e.p = p
	e.vals = e.vals[:0]
	e.keys = e.keys[:0]
	for i := range p.Leaves {
		l := &p.Leaves[i]
		var v []float64
		if l.Kind == opData {
			if l.Blk.Rows < p.Rows || l.Blk.Cols < p.Cols {
				return fmt.Errorf("array: a %d×%d chunk read from a %d×%d block", p.Rows, p.Cols, l.Blk.Rows, l.Blk.Cols)
			}
			var err error
			if v, err = l.Blk.values(ctx); err != nil {
				return err
			}
		}
		e.vals = append(e.vals, v)
		round := uint64(0)
		if l.Kind == opUniform {
			round = uniformRound
		}
		e.keys = append(e.keys, streamKey(l.Seed, round))
	}
	e.fns = e.fns[:0]
	depth, max := 0, 0
	for _, in := range p.Code {
		var fn func(float64) float64
		switch {
		case in.Op == 0:
			if in.Leaf < 0 || in.Leaf >= len(p.Leaves) {
				return fmt.Errorf("array: program leaf %d of %d", in.Leaf, len(p.Leaves))
			}
			depth++
		case in.Op >= bAdd:
			depth--
		case in.Op == uApply:
			var ok bool
			if fn, ok = lookup(in.Fn); !ok {
				return fmt.Errorf("%w: %q in this binary", ErrUnknownFunc, in.Fn)
			}
		}
		if depth < 1 {
			return fmt.Errorf("array: malformed program")
		}
		max = maxInt(max, depth)
		e.fns = append(e.fns, fn)
	}
	if depth != 1 {
		return fmt.Errorf("array: malformed program")
	}
	e.stop = len(p.Code)
	for len(e.own) < max {
		e.own = append(e.own, make([]float64, blockLen))
		e.cur = append(e.cur, nil)
	}
	return nil
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// each evaluates the program block by block, calling f with the position
// of each block's first element in the chunk (row-major) and its values.
// It checks ctx every few blocks.
func (e *evaluator) each(ctx context.Context, f func(t0 int, v []float64)) error {
	p := e.p
	total := p.Rows * p.Cols
	for t0, k := 0, 0; t0 < total; t0, k = t0+blockLen, k+1 {
		if k%64 == 63 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t1 := min(t0+blockLen, total)
		sp, n := 0, t1-t0
		for i, in := range p.Code[:e.stop] {
			switch {
			case in.Op == 0:
				e.cur[sp] = e.fill(in.Leaf, t0, t1, e.own[sp][:n])
				sp++
			case in.Op >= bAdd:
				dst := e.own[sp-2][:n]
				applyBinary(in.Op, dst, e.cur[sp-2], e.cur[sp-1])
				e.cur[sp-2] = dst
				sp--
			default:
				dst := e.own[sp-1][:n]
				applyUnary(in.Op, in.X, e.fns[i], dst, e.cur[sp-1])
				e.cur[sp-1] = dst
			}
		}
		f(t0, e.cur[0])
	}
	return ctx.Err()
}

// sumSink returns a sink that runs the last operations of the program
// inside the loop of a full sum, setting e.stop to the instructions left
// to run before it, or nil. It takes a unary operation at the end; before
// it, a binary one; or, when the program is exactly a op b op c of three
// leaves, both binary ones, reading the leaves in place.
func (e *evaluator) sumSink(acc *accumulator) func(int, []float64) {
	code := e.p.Code
	var un instr
	var fn func(float64) float64
	if k := len(code) - 1; isUnary(code[k].Op) {
		un, fn = code[k], e.fns[k]
		code = code[:k]
	}
	k := len(code) - 1
	switch {
	case len(code) == 5 && code[0].Op == 0 && code[1].Op == 0 && code[2].Op >= bAdd && code[3].Op == 0 && code[4].Op >= bAdd:
		e.stop = 0
		total := e.p.Rows * e.p.Cols
		for len(e.own) < 3 {
			e.own = append(e.own, make([]float64, blockLen))
			e.cur = append(e.cur, nil)
		}
		return func(t0 int, _ []float64) {
			t1 := min(t0+blockLen, total)
			n := t1 - t0
			a := e.fill(code[0].Leaf, t0, t1, e.own[0][:n])
			b := e.fill(code[1].Leaf, t0, t1, e.own[1][:n])
			c := e.fill(code[3].Leaf, t0, t1, e.own[2][:n])
			acc.val[0] += sumTail3(code[2].Op, code[4].Op, un.Op, un.X, fn, a, b, c, e.own[0][:n])
		}
	case code[k].Op >= bAdd:
		e.stop = k
		return func(_ int, _ []float64) {
			acc.val[0] += sumTail(code[k].Op, un.Op, un.X, fn, e.cur[0], e.cur[1], e.own[0])
		}
	case un.Op != 0:
		e.stop = k + 1
		return func(_ int, v []float64) { acc.val[0] += sumUnary(un.Op, un.X, fn, v) }
	}
	return nil
}

// segments calls f for each run of one row within the chunk positions
// t0 to t1: the chunk row r, column c, length n, and offset in the block.
func segments(cols, t0, t1 int, f func(r, c, n, off int)) {
	for t := t0; t < t1; {
		r, c := t/cols, t%cols
		n := min(cols-c, t1-t)
		f(r, c, n, t-t0)
		t += n
	}
}

// fill returns leaf k's values at chunk positions t0 to t1: in place if
// they are contiguous in the leaf's block, else written into v.
func (e *evaluator) fill(k, t0, t1 int, v []float64) []float64 {
	p, l := e.p, &e.p.Leaves[k]
	if l.Kind == opData {
		b := &l.Blk
		if r0, r1 := t0/p.Cols, (t1-1)/p.Cols; r0 == r1 || b.Stride == p.Cols {
			off := b.Off + r0*b.Stride + t0%p.Cols
			return e.vals[k][off : off+len(v)]
		}
	}
	switch l.Kind {
	case opConst:
		for i := range v {
			v[i] = l.A
		}
	case opData:
		data, b := e.vals[k], &l.Blk
		segments(p.Cols, t0, t1, func(r, c, n, off int) {
			copy(v[off:off+n], data[b.Off+r*b.Stride+c:])
		})
	default:
		key := e.keys[k]
		segments(p.Cols, t0, t1, func(r, c, n, off int) {
			idx := uint64((l.R0+r)*l.Width + l.C0 + c)
			seg := v[off : off+n]
			switch l.Kind {
			case opArange:
				for i := range seg {
					seg[i] = float64(idx + uint64(i))
				}
			case opUniform:
				lo, scale := l.A, l.B-l.A
				z := key + idx*golden
				for i := range seg {
					seg[i] = lo + scale*unit(mix(z))
					z += golden
				}
			case opNormal:
				fillNormal(seg, l.Seed, key, idx, l.A, l.B)
			}
		})
	}
	return v
}

// Reduction codes.
const (
	rSum uint8 = iota + 1
	rMean
	rVar
	rStd
	rMin
	rMax
)

var redNames = map[uint8]string{rSum: "sum", rMean: "mean", rVar: "var", rStd: "std", rMin: "min", rMax: "max"}

// partial is the reduction of some chunks, one value per output element:
// N elements each so far; Val their sum (Sum, Mean) or extreme (Min,
// Max); Mean and M2 their mean and sum of squared deviations (Var, Std).
type partial struct {
	N    float64
	Val  []float64
	Mean []float64
	M2   []float64
}

// accumulator reduces one chunk of rows×cols values, block by block.
type accumulator struct {
	red        uint8
	axis       int
	rows, cols int
	val        []float64 // sum or extreme; for Var, the sum of x-k
	sq         []float64 // Var: the sum of (x-k)²
	k          []float64 // Var: the shift, the first value of each output
}

func newAccumulator(red uint8, axis, rows, cols int) *accumulator {
	n := 1
	switch axis {
	case 0:
		n = cols
	case 1:
		n = rows
	}
	a := &accumulator{red: red, axis: axis, rows: rows, cols: cols, val: make([]float64, n)}
	switch red {
	case rMin:
		fillWith(a.val, math.Inf(1))
	case rMax:
		fillWith(a.val, math.Inf(-1))
	case rVar, rStd:
		a.sq, a.k = make([]float64, n), make([]float64, n)
	}
	return a
}

func fillWith(v []float64, x float64) {
	for i := range v {
		v[i] = x
	}
}

// add folds the block of values v, at chunk position t0, into a.
func (a *accumulator) add(t0 int, v []float64) {
	switch a.red {
	case rSum, rMean:
		if a.axis < 0 {
			a.val[0] += sum(v)
			return
		}
		segments(a.cols, t0, t0+len(v), func(r, c, n, off int) {
			seg := v[off : off+n]
			if a.axis == 1 {
				a.val[r] += sum(seg)
				return
			}
			acc := a.val[c : c+n]
			for i, x := range seg {
				acc[i] += x
			}
		})
	case rMin, rMax:
		lt := a.red == rMin
		segments(a.cols, t0, t0+len(v), func(r, c, n, off int) {
			seg := v[off : off+n]
			switch a.axis {
			case -1:
				a.val[0] = extreme(lt, a.val[0], seg)
			case 1:
				a.val[r] = extreme(lt, a.val[r], seg)
			default:
				acc := a.val[c : c+n]
				for i, x := range seg {
					acc[i] = pick(lt, acc[i], x)
				}
			}
		})
	case rVar, rStd:
		segments(a.cols, t0, t0+len(v), func(r, c, n, off int) {
			seg := v[off : off+n]
			switch a.axis {
			case -1, 1:
				o := 0
				if a.axis == 1 {
					o = r
				}
				if (a.axis == 1 && c == 0) || (a.axis < 0 && t0+off == 0) {
					a.k[o] = seg[0]
				}
				k := a.k[o]
				var s1, s2 float64
				for _, x := range seg {
					d := x - k
					s1 += d
					s2 += d * d
				}
				a.val[o] += s1
				a.sq[o] += s2
			default:
				if r == 0 {
					copy(a.k[c:c+n], seg)
				}
				k, s1, s2 := a.k[c:c+n], a.val[c:c+n], a.sq[c:c+n]
				for i, x := range seg {
					d := x - k[i]
					s1[i] += d
					s2[i] += d * d
				}
			}
		})
	}
}

// partial returns the chunk's partial.
func (a *accumulator) partial() partial {
	p := partial{Val: a.val}
	switch a.axis {
	case -1:
		p.N = float64(a.rows * a.cols)
	case 0:
		p.N = float64(a.rows)
	default:
		p.N = float64(a.cols)
	}
	if a.red == rVar || a.red == rStd {
		p.Val = nil
		p.Mean, p.M2 = make([]float64, len(a.val)), make([]float64, len(a.val))
		if p.N > 0 {
			for i := range a.val {
				p.Mean[i] = a.k[i] + a.val[i]/p.N
				p.M2[i] = max(0, a.sq[i]-a.val[i]*a.val[i]/p.N)
				if math.IsNaN(a.sq[i]) || math.IsNaN(a.val[i]) {
					p.M2[i] = math.NaN() // max hides NaN
				}
			}
		}
	}
	return p
}

// sum adds v with four running sums.
func sum(v []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// pick returns the smaller (lt) or larger of m and x; a NaN wins.
func pick(lt bool, m, x float64) float64 {
	if x != x || (lt && x < m) || (!lt && x > m) {
		return x
	}
	return m
}

func extreme(lt bool, m float64, v []float64) float64 {
	if m != m {
		return m
	}
	for _, x := range v {
		if x != x {
			return x
		}
		if (lt && x < m) || (!lt && x > m) {
			m = x
		}
	}
	return m
}

// combine merges two partials of the same outputs; a and b may be
// modified.
func combine(red uint8, a, b partial) partial {
	switch {
	case b.N == 0:
		return a
	case a.N == 0:
		return b
	}
	n := a.N + b.N
	switch red {
	case rSum, rMean:
		for i := range a.Val {
			a.Val[i] += b.Val[i]
		}
	case rMin, rMax:
		for i := range a.Val {
			a.Val[i] = pick(red == rMin, a.Val[i], b.Val[i])
		}
	case rVar, rStd:
		// Chan, Golub and LeVeque's pairwise update.
		for i := range a.Mean {
			d := b.Mean[i] - a.Mean[i]
			a.Mean[i] += d * b.N / n
			a.M2[i] += b.M2[i] + d*d*a.N*b.N/n
		}
	}
	a.N = n
	return a
}

// finish turns a complete partial into the reduction's values.
func finish(red uint8, p partial) []float64 {
	switch red {
	case rMean:
		for i := range p.Val {
			p.Val[i] /= p.N
		}
	case rVar, rStd:
		p.Val = p.M2
		for i := range p.Val {
			p.Val[i] /= p.N
			if red == rStd {
				p.Val[i] = math.Sqrt(p.Val[i])
			}
		}
	}
	return p.Val
}

package array

import (
	"errors"
	"fmt"
	"slices"
)

// Errors. Every invalid operation yields an Array whose Err (and whose
// Compute) returns an error wrapping one of these.
var (
	// ErrShape reports a shape that is invalid (a negative length, more
	// than two dimensions, data of the wrong length) or that does not fit
	// the operation (operands of different shapes, MatMul's inner lengths,
	// a slice out of bounds).
	ErrShape = errors.New("array: bad shape")

	// ErrChunks reports chunk sizes that are invalid (below 1) or operands
	// whose chunks do not line up: elementwise operands need the same
	// chunks, MatMul needs the chunks of a's columns to be those of b's
	// rows. Rechunk one operand to match.
	ErrChunks = errors.New("array: mismatched chunks")

	// ErrAxis reports an axis the array does not have, or more than one.
	ErrAxis = errors.New("array: bad axis")

	// ErrEmpty reports a reduction with no identity (Mean, Var, Std, Min,
	// Max) over no elements. Sum of nothing is 0.
	ErrEmpty = errors.New("array: reduction of an empty array")

	// ErrUnknownFunc reports an Apply of a name no Register call gave.
	ErrUnknownFunc = errors.New("array: function not registered")
)

// Array is a lazy float64 array of 0, 1 or 2 dimensions, split into
// chunks. Building one, or deriving one from another, only records the
// operation: nothing runs until Compute. An Array is immutable and safe
// for concurrent use; operations return new Arrays and may share inputs.
//
// An invalid operation does not panic and returns no separate error: it
// returns an Array whose Err reports what went wrong, and every Array
// derived from it carries the same error, so a chain of operations is
// checked once, at its end (or by Compute). A nil *Array is invalid too.
type Array struct {
	n   *node
	err error
}

type opKind uint8

const (
	opConst opKind = iota // generators
	opArange
	opNormal
	opUniform
	opData
	opUnary // elementwise
	opBinary
	opReduce // the rest materialise their input
	opMatMul
	opTranspose
	opSlice
	opRechunk
)

// node is one operation of the graph. Internally every array has two
// dimensions: a 1-D array of length n is 1×n, a 0-D one 1×1.
type node struct {
	op         opKind
	ndim       int
	rows, cols int
	rb, cb     []int // chunk bounds: chunk i covers rows rb[i] to rb[i+1]
	in         []*node

	seed   uint64
	a, b   float64 // generator parameters
	data   []float64
	code   uint8   // unary, binary or reduction op
	x      float64 // unary parameter
	fn     string  // Apply's function
	axis   int     // reduction: -1 for all, else the internal axis reduced (0 rows, 1 columns)
	r0, c0 int     // slice: the first row and column taken
}

func invalid(err error) *Array { return &Array{err: err} }

// Err returns the error of the operation that made a, or of the first
// invalid operation it derives from; nil if a is valid.
func (a *Array) Err() error {
	if a == nil {
		return errors.New("array: nil *Array")
	}
	return a.err
}

// Shape returns the lengths of a's dimensions: empty for a scalar (the
// result of a full reduction), one length for a vector, rows and columns
// for a matrix. It is nil if a is invalid.
func (a *Array) Shape() []int {
	if a.Err() != nil {
		return nil
	}
	return a.n.shape()
}

// Chunks returns the chunk lengths along each dimension, as dask does:
// Chunks()[d][k] is the length of the k-th chunk along dimension d. It is
// nil if a is invalid.
func (a *Array) Chunks() [][]int {
	if a.Err() != nil {
		return nil
	}
	lens := func(b []int) []int {
		out := make([]int, len(b)-1)
		for i := range out {
			out[i] = b[i+1] - b[i]
		}
		return out
	}
	switch a.n.ndim {
	case 0:
		return [][]int{}
	case 1:
		return [][]int{lens(a.n.cb)}
	}
	return [][]int{lens(a.n.rb), lens(a.n.cb)}
}

// Size returns the number of elements of a.
func (a *Array) Size() int {
	if a.Err() != nil {
		return 0
	}
	return a.n.rows * a.n.cols
}

func (n *node) shape() []int {
	switch n.ndim {
	case 0:
		return []int{}
	case 1:
		return []int{n.cols}
	}
	return []int{n.rows, n.cols}
}

func (n *node) nchunks() (int, int) { return len(n.rb) - 1, len(n.cb) - 1 }

// bounds returns the chunk bounds of a length n in chunks of c: 0, c,
// 2c, …, n, the last chunk shorter if c does not divide n. A chunk longer
// than n is cut to n; an empty length has no chunk.
func bounds(n, c int) []int {
	b := []int{0}
	for lo := 0; lo < n; lo += c {
		b = append(b, min(lo+c, n))
	}
	return b
}

// layout checks a shape and its chunk sizes and returns the internal
// two-dimensional layout.
func layout(shape, chunks []int) (*node, error) {
	if len(shape) < 1 || len(shape) > 2 {
		return nil, fmt.Errorf("%w: %v: arrays have 1 or 2 dimensions", ErrShape, shape)
	}
	if len(chunks) != len(shape) {
		return nil, fmt.Errorf("%w: chunks %v for shape %v: need one chunk length per dimension", ErrChunks, chunks, shape)
	}
	for d := range shape {
		if shape[d] < 0 {
			return nil, fmt.Errorf("%w: %v: negative length", ErrShape, shape)
		}
		if chunks[d] < 1 {
			return nil, fmt.Errorf("%w: chunks %v: a chunk length must be at least 1", ErrChunks, chunks)
		}
	}
	n := &node{ndim: len(shape)}
	if len(shape) == 1 {
		n.rows, n.cols = 1, shape[0]
		n.rb, n.cb = []int{0, 1}, bounds(shape[0], chunks[0])
	} else {
		n.rows, n.cols = shape[0], shape[1]
		n.rb, n.cb = bounds(shape[0], chunks[0]), bounds(shape[1], chunks[1])
	}
	return n, nil
}

func generator(op opKind, shape, chunks []int, seed uint64, a, b float64) *Array {
	n, err := layout(shape, chunks)
	if err != nil {
		return invalid(err)
	}
	n.op, n.seed, n.a, n.b = op, seed, a, b
	return &Array{n: n}
}

// Zeros returns an array of zeros of the given shape (one or two lengths)
// in chunks of the given lengths (one per dimension; the last chunk along
// a dimension is shorter when its length does not divide the array's).
func Zeros(shape, chunks []int) *Array { return Full(0, shape, chunks) }

// Ones returns an array of ones, like Zeros.
func Ones(shape, chunks []int) *Array { return Full(1, shape, chunks) }

// Full returns an array whose every element is v, like Zeros.
func Full(v float64, shape, chunks []int) *Array {
	return generator(opConst, shape, chunks, 0, v, 0)
}

// Arange returns the vector 0, 1, …, n-1 in chunks of chunk elements.
func Arange(n, chunk int) *Array {
	return generator(opArange, []int{n}, []int{chunk}, 0, 0, 0)
}

// RandomNormal returns an array of independent normal values with the
// given mean and standard deviation. The value of each element depends
// only on seed and the element's position (row-major), so the same seed
// and shape give the same array whatever the chunks and the executor.
func RandomNormal(seed uint64, mean, std float64, shape, chunks []int) *Array {
	return generator(opNormal, shape, chunks, seed, mean, std)
}

// RandomUniform returns an array of independent values uniform in
// [lo, hi), deterministic like RandomNormal's.
func RandomUniform(seed uint64, lo, hi float64, shape, chunks []int) *Array {
	return generator(opUniform, shape, chunks, seed, lo, hi)
}

// FromSlice returns an array over data, in row-major order, of the given
// shape and chunks. It does not copy data: the caller must not modify it
// until the last Compute that uses the array has returned. On a pool,
// tasks read data in place; on a cluster, each chunk is sent to the
// cluster once per Compute.
func FromSlice(data []float64, shape, chunks []int) *Array {
	n, err := layout(shape, chunks)
	if err != nil {
		return invalid(err)
	}
	if len(data) != n.rows*n.cols {
		return invalid(fmt.Errorf("%w: %d values for shape %v", ErrShape, len(data), shape))
	}
	n.op, n.data = opData, data
	return &Array{n: n}
}

// derive returns a node of op over the inputs, with the layout of the
// first; it reports the first input's error.
func derive(op opKind, in ...*Array) (*node, error) {
	for _, a := range in {
		if err := a.Err(); err != nil {
			return nil, err
		}
	}
	f := in[0].n
	n := &node{op: op, ndim: f.ndim, rows: f.rows, cols: f.cols, rb: f.rb, cb: f.cb}
	for _, a := range in {
		n.in = append(n.in, a.n)
	}
	return n, nil
}

// sameLayout reports an error unless a and b have the same shape and
// chunks.
func sameLayout(what string, a, b *node) error {
	if !slices.Equal(a.shape(), b.shape()) {
		return fmt.Errorf("%w: %s of shapes %v and %v", ErrShape, what, a.shape(), b.shape())
	}
	if !slices.Equal(a.rb, b.rb) || !slices.Equal(a.cb, b.cb) {
		return fmt.Errorf("%w: %s of arrays with chunk bounds %v×%v and %v×%v: Rechunk one to match", ErrChunks, what, a.rb, a.cb, b.rb, b.cb)
	}
	return nil
}

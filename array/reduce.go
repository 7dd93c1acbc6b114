package array

import "fmt"

func (a *Array) reduction(red uint8, axis []int) *Array {
	n, err := derive(opReduce, a)
	if err != nil {
		return invalid(err)
	}
	n.code = red
	in := a.n
	switch {
	case len(axis) > 1:
		return invalid(fmt.Errorf("%w: %s over axes %v: give at most one axis", ErrAxis, redNames[red], axis))
	case len(axis) == 0 || in.ndim == 1 && axis[0] == 0:
		n.axis = -1
	case axis[0] < 0 || axis[0] >= in.ndim:
		return invalid(fmt.Errorf("%w: %s over axis %d of an array of shape %v", ErrAxis, redNames[red], axis[0], in.shape()))
	default:
		n.axis = axis[0]
	}
	switch n.axis {
	case -1: // a scalar
		n.ndim, n.rows, n.cols, n.rb, n.cb = 0, 1, 1, []int{0, 1}, []int{0, 1}
	case 0: // one value per column, chunked as the columns
		n.ndim, n.rows, n.cols, n.rb, n.cb = 1, 1, in.cols, []int{0, 1}, in.cb
	case 1: // one value per row, chunked as the rows
		n.ndim, n.rows, n.cols, n.rb, n.cb = 1, 1, in.rows, []int{0, 1}, in.rb
	}
	return &Array{n: n}
}

// Sum returns the sum of a's elements: over all of them (a scalar) when
// no axis is given; over axis 0 (down the rows: one value per column) or
// axis 1 (along the rows: one value per row) of a matrix; axis 0 of a
// vector is all of it. More than one axis, or an axis a does not have,
// is an error wrapping ErrAxis. The sum of no elements is 0.
//
// Reductions run as tree reductions: each task reduces a few chunks into
// a partial, computing those chunks in the same pass without
// materialising them, and Compute combines the partials pairwise, in an
// order fixed by the chunks, so the result does not depend on the
// executor.
func (a *Array) Sum(axis ...int) *Array { return a.reduction(rSum, axis) }

// Mean returns the arithmetic mean, over the axes as Sum. The mean of no
// elements is an error wrapping ErrEmpty.
func (a *Array) Mean(axis ...int) *Array { return a.reduction(rMean, axis) }

// Var returns the population variance (the mean squared deviation from
// the mean, NumPy's ddof=0), over the axes as Sum. Each chunk computes its
// count, mean and sum of squared deviations (M2) about its first value,
// and partials combine by Chan, Golub and LeVeque's update: numerically
// stable, unlike the sum of squares less the squared sum. The variance
// of no elements is an error wrapping ErrEmpty.
func (a *Array) Var(axis ...int) *Array { return a.reduction(rVar, axis) }

// Std returns the population standard deviation, the square root of Var.
func (a *Array) Std(axis ...int) *Array { return a.reduction(rStd, axis) }

// Min returns the smallest element, over the axes as Sum. A NaN anywhere
// in a reduced set makes its result NaN, as NumPy's min does. The minimum
// of no elements is an error wrapping ErrEmpty.
func (a *Array) Min(axis ...int) *Array { return a.reduction(rMin, axis) }

// Max returns the largest element, like Min.
func (a *Array) Max(axis ...int) *Array { return a.reduction(rMax, axis) }

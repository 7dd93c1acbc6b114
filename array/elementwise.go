package array

import (
	"fmt"
	"math"
	"sync"
)

// Elementwise operation codes: unary ones take the top of a program's
// stack, binary ones the top two.
const (
	uScale uint8 = iota + 1
	uPow
	uSqrt
	uExp
	uLog
	uApply
	bAdd
	bSub
	bMul
	bDiv
)

var opNames = map[uint8]string{
	uScale: "scale", uPow: "pow", uSqrt: "sqrt", uExp: "exp", uLog: "log", uApply: "apply",
	bAdd: "add", bSub: "sub", bMul: "mul", bDiv: "div",
}

func (a *Array) unary(code uint8, x float64, fn string) *Array {
	n, err := derive(opUnary, a)
	if err != nil {
		return invalid(err)
	}
	n.code, n.x, n.fn = code, x, fn
	return &Array{n: n}
}

func (a *Array) binary(code uint8, b *Array) *Array {
	n, err := derive(opBinary, a, b)
	if err != nil {
		return invalid(err)
	}
	if err := sameLayout(opNames[code], a.n, b.n); err != nil {
		return invalid(err)
	}
	n.code = code
	return &Array{n: n}
}

// Add returns a + b, element by element. a and b must have the same shape
// and the same chunks (ErrShape, ErrChunks).
func (a *Array) Add(b *Array) *Array { return a.binary(bAdd, b) }

// Sub returns a - b, element by element, like Add.
func (a *Array) Sub(b *Array) *Array { return a.binary(bSub, b) }

// Mul returns a * b, element by element, like Add.
func (a *Array) Mul(b *Array) *Array { return a.binary(bMul, b) }

// Div returns a / b, element by element, like Add. Division by zero
// follows IEEE 754 (±Inf, or NaN for 0/0).
func (a *Array) Div(b *Array) *Array { return a.binary(bDiv, b) }

// Scale returns s * a.
func (a *Array) Scale(s float64) *Array { return a.unary(uScale, s, "") }

// Pow returns a raised to the power p, element by element (math.Pow).
func (a *Array) Pow(p float64) *Array { return a.unary(uPow, p, "") }

// Sqrt returns the square roots of a's elements (NaN for negative ones).
func (a *Array) Sqrt() *Array { return a.unary(uSqrt, 0, "") }

// Exp returns e raised to a's elements.
func (a *Array) Exp() *Array { return a.unary(uExp, 0, "") }

// Log returns the natural logarithms of a's elements (-Inf for 0, NaN
// for negative ones).
func (a *Array) Log() *Array { return a.unary(uLog, 0, "") }

// Apply returns fn(x) for every element x of a, where fn is the function
// Register gave the name name. The name, not the function, is recorded in
// the graph, so Apply works on a cluster as long as every binary
// registers the same name (from an init function). An unregistered name
// is an error wrapping ErrUnknownFunc. A panic in fn fails Compute with a
// *shoal.PanicError.
func (a *Array) Apply(name string) *Array {
	if a.Err() != nil {
		return a
	}
	if _, ok := lookup(name); !ok {
		return invalid(fmt.Errorf("%w: %q (call array.Register from an init function)", ErrUnknownFunc, name))
	}
	return a.unary(uApply, 0, name)
}

var funcs sync.Map // name → func(float64) float64

// Register makes fn available to Apply under name, in this process. Call
// it from an init function, so that every binary of a cluster (driver and
// workers: the same program) has it. Register panics — a bug in the
// program — if name is empty or taken, or fn is nil. It is safe for
// concurrent use.
func Register(name string, fn func(float64) float64) {
	if name == "" || fn == nil {
		panic("array: Register with an empty name or a nil function")
	}
	if _, dup := funcs.LoadOrStore(name, fn); dup {
		panic(fmt.Sprintf("array: Register: name %q is already registered", name))
	}
}

func lookup(name string) (func(float64) float64, bool) {
	f, ok := funcs.Load(name)
	if !ok {
		return nil, false
	}
	return f.(func(float64) float64), true
}

// applyUnary sets dst to the operation applied to src (dst may be src).
func applyUnary(code uint8, x float64, fn func(float64) float64, dst, src []float64) {
	src = src[:len(dst)]
	switch code {
	case uScale:
		for i, v := range src {
			dst[i] = v * x
		}
	case uPow:
		switch x {
		case 1:
			copy(dst, src)
		case 2:
			for i, v := range src {
				dst[i] = v * v
			}
		default:
			for i, v := range src {
				dst[i] = math.Pow(v, x)
			}
		}
	case uSqrt:
		for i, v := range src {
			dst[i] = math.Sqrt(v)
		}
	case uExp:
		for i, v := range src {
			dst[i] = math.Exp(v)
		}
	case uLog:
		for i, v := range src {
			dst[i] = math.Log(v)
		}
	case uApply:
		for i, v := range src {
			dst[i] = fn(v)
		}
	}
}

func isUnary(op uint8) bool { return op >= uScale && op <= uApply }

// sumUnary returns the sum of the unary operation applied to v, in one
// loop.
func sumUnary(code uint8, x float64, fn func(float64) float64, v []float64) float64 {
	var s0, s1 float64
	i := 0
	switch code {
	case uSqrt:
		for ; i+2 <= len(v); i += 2 {
			s0 += math.Sqrt(v[i])
			s1 += math.Sqrt(v[i+1])
		}
		for ; i < len(v); i++ {
			s0 += math.Sqrt(v[i])
		}
	case uExp:
		for _, a := range v {
			s0 += math.Exp(a)
		}
	case uLog:
		for _, a := range v {
			s0 += math.Log(a)
		}
	case uApply:
		for _, a := range v {
			s0 += fn(a)
		}
	case uScale:
		return x * sum(v)
	case 0:
		return sum(v)
	case uPow:
		for _, a := range v {
			s0 += math.Pow(a, x)
		}
	}
	return s0 + s1
}

// sumTail returns the sum over i of un(a[i] bin b[i]), where un may be
// 0 for none. For a square root or none it runs in one loop, so that the
// last operations of a chain overlap with each other and with the sum;
// otherwise it writes a bin b into scratch first.
func sumTail(bin, un uint8, x float64, fn func(float64) float64, a, b, scratch []float64) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	i := 0
	switch {
	case un == uSqrt && bin == bAdd:
		for ; i+2 <= len(a); i += 2 {
			s0 += math.Sqrt(a[i] + b[i])
			s1 += math.Sqrt(a[i+1] + b[i+1])
		}
	case un == uSqrt && bin == bSub:
		for ; i+2 <= len(a); i += 2 {
			s0 += math.Sqrt(a[i] - b[i])
			s1 += math.Sqrt(a[i+1] - b[i+1])
		}
	case un == uSqrt && bin == bMul:
		for ; i+2 <= len(a); i += 2 {
			s0 += math.Sqrt(a[i] * b[i])
			s1 += math.Sqrt(a[i+1] * b[i+1])
		}
	case un == uSqrt && bin == bDiv:
		for ; i+2 <= len(a); i += 2 {
			s0 += math.Sqrt(a[i] / b[i])
			s1 += math.Sqrt(a[i+1] / b[i+1])
		}
	case un == 0 && bin == bAdd:
		for ; i+2 <= len(a); i += 2 {
			s0 += a[i] + b[i]
			s1 += a[i+1] + b[i+1]
		}
	case un == 0 && bin == bSub:
		for ; i+2 <= len(a); i += 2 {
			s0 += a[i] - b[i]
			s1 += a[i+1] - b[i+1]
		}
	case un == 0 && bin == bMul:
		for ; i+2 <= len(a); i += 2 {
			s0 += a[i] * b[i]
			s1 += a[i+1] * b[i+1]
		}
	case un == 0 && bin == bDiv:
		for ; i+2 <= len(a); i += 2 {
			s0 += a[i] / b[i]
			s1 += a[i+1] / b[i+1]
		}
	default:
		d := scratch[:len(a)]
		applyBinary(bin, d, a, b)
		return sumUnary(un, x, fn, d)
	}
	if i < len(a) { // the odd last element
		d := scratch[:1]
		applyBinary(bin, d, a[i:], b[i:])
		s0 += sumUnary(un, x, fn, d)
	}
	return s0 + s1
}

// sumTail3 returns the sum over i of un((a[i] op1 b[i]) op2 c[i]), where
// un may be 0 for none, in one loop for a square root or none; scratch
// may be a.
func sumTail3(op1, op2, un uint8, x float64, fn func(float64) float64, a, b, c, scratch []float64) float64 {
	if un != 0 && un != uSqrt {
		d := scratch[:len(a)]
		applyBinary(op1, d, a, b)
		applyBinary(op2, d, d, c)
		return sumUnary(un, x, fn, d)
	}
	b, c = b[:len(a)], c[:len(a)]
	var s [2]float64
	if un == uSqrt {
		for i := range a {
			s[i&1] += math.Sqrt(binary2(op1, op2, a[i], b[i], c[i]))
		}
	} else {
		for i := range a {
			s[i&1] += binary2(op1, op2, a[i], b[i], c[i])
		}
	}
	return s[0] + s[1]
}

// binary2 returns (a op1 b) op2 c.
func binary2(op1, op2 uint8, a, b, c float64) float64 {
	var v float64
	switch op1 {
	case bAdd:
		v = a + b
	case bSub:
		v = a - b
	case bMul:
		v = a * b
	default:
		v = a / b
	}
	switch op2 {
	case bAdd:
		return v + c
	case bSub:
		return v - c
	case bMul:
		return v * c
	}
	return v / c
}

// applyBinary sets dst to a op b (dst may be a or b).
func applyBinary(code uint8, dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch code {
	case bAdd:
		i := 0
		for ; i+4 <= len(dst); i += 4 {
			d, x, y := dst[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
			d[0], d[1], d[2], d[3] = x[0]+y[0], x[1]+y[1], x[2]+y[2], x[3]+y[3]
		}
		for ; i < len(dst); i++ {
			dst[i] = a[i] + b[i]
		}
	case bSub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case bMul:
		i := 0
		for ; i+4 <= len(dst); i += 4 {
			d, x, y := dst[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
			d[0], d[1], d[2], d[3] = x[0]*y[0], x[1]*y[1], x[2]*y[2], x[3]*y[3]
		}
		for ; i < len(dst); i++ {
			dst[i] = a[i] * b[i]
		}
	case bDiv:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	}
}

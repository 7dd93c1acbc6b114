package shoal_test

import (
	"sync/atomic"
	"testing"

	"github.com/shoal-go/shoal"
)

// newPool returns a pool closed when the test ends.
func newPool(t *testing.T, n int) *shoal.Pool {
	t.Helper()
	p := shoal.NewPool(shoal.Workers(n))
	t.Cleanup(func() { p.Close() })
	return p
}

// gauge counts user functions running at once and keeps the maximum.
type gauge struct{ cur, max atomic.Int64 }

func (g *gauge) enter() {
	n := g.cur.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.cur.Add(-1) }

// sink keeps spin's work from being optimized away.
var sink atomic.Int64

// spin burns a little CPU so that items overlap.
func spin(n int) int {
	x := 1
	for i := range n {
		x = x*31 + i
	}
	sink.Store(int64(x))
	return x
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func mustPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	fn()
}

package array_test

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

// meeting makes two chunk tasks wait for each other: the task of
// "test.meetA" and that of "test.meetB" each go on only once the other has
// started, which they can only do at the same time. One that waits in vain
// gives up after meetWait and returns NaN. Each test run makes a new one.
type meeting struct {
	a, b         chan struct{}
	onceA, onceB sync.Once
}

var current atomic.Pointer[meeting]

const meetWait = 10 * time.Second

func meet(mine chan struct{}, once *sync.Once, other chan struct{}, x float64) float64 {
	once.Do(func() { close(mine) })
	select {
	case <-other:
		return x
	case <-time.After(meetWait):
		return math.NaN()
	}
}

func init() {
	array.Register("test.meetA", func(x float64) float64 {
		m := current.Load()
		return meet(m.a, &m.onceA, m.b, x)
	})
	array.Register("test.meetB", func(x float64) float64 {
		m := current.Load()
		return meet(m.b, &m.onceB, m.a, x)
	})
	array.Register("test.boom", func(float64) float64 { panic("boom") })
}

// TestIndependentStagesOverlap adds two sums, each a stage of its own that
// the other does not need: they must run at the same time.
func TestIndependentStagesOverlap(t *testing.T) {
	current.Store(&meeting{a: make(chan struct{}), b: make(chan struct{})})
	p := shoal.NewPool(shoal.Workers(2))
	defer p.Close()
	x := array.Ones([]int{4}, []int{4}).Apply("test.meetA").Sum()
	y := array.Ones([]int{4}, []int{4}).Apply("test.meetB").Sum()
	got, err := x.Add(y).Scalar(t.Context(), p)
	if err != nil || got != 8 {
		t.Fatalf("Scalar = %v, %v; want 8, nil (NaN: the two sums did not run at the same time)", got, err)
	}
}

// TestFailingStageStopsItsSibling computes two independent stages, one of
// which panics: Compute returns that panic, not the cancellation it
// caused in the other.
func TestFailingStageStopsItsSibling(t *testing.T) {
	t.Parallel()
	p := shoal.NewPool(shoal.Workers(2))
	defer p.Close()
	big := array.RandomNormal(1, 0, 1, []int{4000, 4000}, []int{250, 250}).Sum() // 256 chunk tasks
	bad := array.Ones([]int{4}, []int{4}).Apply("test.boom").Sum()
	start := time.Now()
	_, err := big.Add(bad).Scalar(t.Context(), p)
	var pe *shoal.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v; want the *shoal.PanicError of test.boom", err)
	}
	t.Logf("failed after %v", time.Since(start))
}

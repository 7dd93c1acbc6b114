package stocks_test

import (
	"math"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/stocks"
)

// sameAnswer reports whether the array formulation found the pair
// Correlate found, on as many days, at the same correlation to within
// rounding.
func sameAnswer(got, want stocks.Pair) bool {
	return got.A == want.A && got.B == want.B && got.Days == want.Days && math.Abs(got.Corr-want.Corr) < 1e-9
}

func TestCorrelateArray(t *testing.T) {
	t.Parallel()
	for _, cfg := range []stocks.GenConfig{small, {Symbols: 9, Days: 150, Seed: 3}} {
		pq := converted(t, generated(t, cfg))
		want, err := stocks.CorrelateSequential(t.Context(), pq)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 3} {
			pool := shoal.NewPool(shoal.Workers(workers))
			got, err := stocks.CorrelateArray(t.Context(), pool, pq)
			pool.Close()
			if err != nil {
				t.Fatalf("%+v, Workers(%d): %v", cfg, workers, err)
			}
			if !sameAnswer(got, want) {
				t.Errorf("%+v, Workers(%d): CorrelateArray = %+v, CorrelateSequential = %+v", cfg, workers, got, want)
			}
		}
	}
}

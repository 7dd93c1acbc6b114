package shared_test

import (
	"context"
	"fmt"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/shared"
)

// The seed question on five values: one read-only dataset, put once, and
// 16 different functions of it, 5 at a time.
func Example() {
	d := []float64{1, -2, 3, 3, -1}
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	res, err := shared.RunData(context.Background(), pool, d, shared.Stats())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range res.Values {
		fmt.Printf("%-15s %8.4f\n", v.Stat, v.Value)
	}
	// Output:
	// sum               4.0000
	// mean              0.8000
	// variance          4.1600
	// skewness         -0.1527
	// kurtosis         -1.6268
	// min              -2.0000
	// max               3.0000
	// above-mean        3.0000
	// l1-norm          10.0000
	// l2-norm           4.8990
	// total-variation  12.0000
	// zero-crossings    3.0000
	// longest-rise      1.0000
	// max-drawdown      2.0000
	// max-subarray      6.0000
	// autocorr-1       -0.2808
}

package powers_test

import (
	"context"
	"fmt"
	"reflect"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/powers"
)

// The seed question on 100,000 values: the mean of x^p for p in 1, 2, 12
// and 15, beside E[x^p].
func Example() {
	cfg := powers.Config{N: 100_000, Chunk: 10_000, Seed: 1, Powers: powers.SeedPowers}
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	res, err := powers.Run(context.Background(), pool, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Moments {
		fmt.Printf("mean x^%-2d = %9.4f   theory %g\n", m.Power, m.Mean, m.Theory)
	}
	seq, _ := powers.Sequential(context.Background(), cfg)
	fmt.Println("identical to sequential:", reflect.DeepEqual(res, seq))
	// Output:
	// mean x^1  =   -0.0010   theory 0
	// mean x^2  =    0.9973   theory 1
	// mean x^12 = 8839.7580   theory 10395
	// mean x^15 = -80419.4863   theory 0
	// identical to sequential: true
}

func ExampleTheory() {
	for _, p := range []int{2, 4, 12, 15} {
		fmt.Printf("E[x^%d] = %g\n", p, powers.Theory(p))
	}
	// Output:
	// E[x^2] = 1
	// E[x^4] = 3
	// E[x^12] = 10395
	// E[x^15] = 0
}

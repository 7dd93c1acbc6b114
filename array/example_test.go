package array_test

import (
	"context"
	"fmt"
	"math"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/array"
)

// Seed 001's dask example: the column means of a 1000×1000 array of
// normals in chunks of 100×100, computed in parallel without ever holding
// the array.
func Example() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	x := array.RandomNormal(1, 0, 1, []int{1000, 1000}, []int{100, 100})
	means, err := x.Mean(0).Compute(ctx, pool)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shape:", means.Shape)
	worst := 0.0
	for _, m := range means.Data {
		worst = math.Max(worst, math.Abs(m))
	}
	fmt.Println("every column mean within 0.15 of 0:", worst < 0.15)
	// Output:
	// shape: [1000]
	// every column mean within 0.15 of 0: true
}

func ExampleArray_Compute() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	x := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, []int{1, 2})
	y := x.Mul(x).Add(x) // fused: one task per chunk
	res, err := y.Compute(ctx, pool)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Shape, res.Data)
	// Output: [2 3] [2 6 12 20 30 42]
}

func ExampleArray_Sum() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	x := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, []int{2, 2})
	total, _ := x.Sum().Scalar(ctx, pool)
	cols, _ := x.Sum(0).Compute(ctx, pool)
	rows, _ := x.Sum(1).Compute(ctx, pool)
	sd, _ := array.Arange(10, 3).Std().Scalar(ctx, pool)
	fmt.Println(total, cols.Data, rows.Data)
	fmt.Printf("%.4f\n", sd)
	// Output:
	// 21 [5 7 9] [6 15]
	// 2.8723
}

func ExampleArray_MatMul() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	a := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, []int{1, 3})
	gram, err := a.MatMul(a.Transpose()).Dense(ctx, pool) // a·aᵀ
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(gram.RawMatrix().Data)
	// Output: [14 32 32 77]
}

func ExampleArray_Slice() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	x := array.Arange(12, 5).Slice([]int{3}, []int{9}) // only elements 3 to 8 are computed
	res, _ := x.Compute(ctx, pool)
	fmt.Println(res.Data, x.Chunks())
	// Output: [3 4 5 6 7 8] [[2 4]]
}

func ExampleArray_Err() {
	x := array.Ones([]int{4}, []int{2})
	y := array.Ones([]int{5}, []int{2})
	z := x.Add(y).Sqrt().Sum() // the error sticks to every derived array
	fmt.Println(z.Err())
	// Output: array: bad shape: add of shapes [4] and [5]
}

func ExampleArray_Graph() {
	x := array.RandomUniform(7, 0, 1, []int{4000, 4000}, []int{1000, 1000})
	fmt.Print(x.Add(x.Exp()).Sqrt().Mean(0).Graph())
	// Output:
	// stage 1: 4 tasks: mean over axis 0 of 4×4 chunks, fused: sqrt(add(uniform(seed 7), exp(uniform(seed 7)))); partials combined pairwise
}

func init() {
	// Register Apply's functions from init, in every binary of a cluster.
	array.Register("logistic", func(x float64) float64 { return 1 / (1 + math.Exp(-x)) })
}

func ExampleArray_Apply() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	res, _ := array.Arange(3, 2).Apply("logistic").Compute(ctx, pool)
	fmt.Printf("%.3f\n", res.Data)
	// Output: [0.500 0.731 0.881]
}

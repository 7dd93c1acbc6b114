package cluster_test

import (
	"context"
	"fmt"
	"io"
	"log"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// A Map on two worker processes. The test binary is the worker binary:
// TestMain calls cluster.Main first, and square is registered in an init
// function.
func Example() {
	ctx := context.Background()
	c, err := cluster.Start(ctx, cluster.Workers(2), cluster.Output(io.Discard))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	squares, err := shoal.Map(ctx, c, []int{1, 2, 3, 4}, square)
	fmt.Println(squares, err)
	// Output: [1 4 9 16] <nil>
}

// Connect joins a running cluster, here one started by Start.
func ExampleConnect() {
	ctx := context.Background()
	c, err := cluster.Start(ctx, cluster.Workers(1), cluster.Output(io.Discard))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	cl, err := cluster.Connect(ctx, c.URL(), cluster.Token(c.Token()))
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	n, err := shoal.Submit(ctx, cl, double, 21).Get(ctx)
	fmt.Println(n, err)
	st, _ := cl.Status(ctx)
	fmt.Println(len(st.Workers), "worker")
	// Output:
	// 42 <nil>
	// 1 worker
}

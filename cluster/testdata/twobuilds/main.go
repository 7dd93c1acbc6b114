// Command twobuilds is a worker built apart from the cluster package's test
// binary, by TestTwoBuilds, to stand for another build of the driver's
// program: it registers twobuilds.echo as the test binary does,
// twobuilds.scale with one more field in its argument, and no
// twobuilds.driverOnly.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(echo, shoal.Name("twobuilds.echo"))
	shoal.Register(scale, shoal.Name("twobuilds.scale"))
}

// echo has the same signature as in the test binary.
func echo(_ context.Context, a struct{ Text string }) (string, error) { return a.Text, nil }

// scale takes a Factor that the test binary's twobuilds.scale lacks.
func scale(_ context.Context, a struct{ X, Factor int }) (int, error) { return a.X * a.Factor, nil }

func main() {
	cluster.Main() // serves as a worker of cluster.Start, and exits
	fmt.Fprintln(os.Stderr, "twobuilds: a worker for the cluster package's tests, started by cluster.Start")
	os.Exit(2)
}

// Command shoal runs shoal's demo and its clusters: see "shoal --help".
//
// The shoal binary is also the worker program of the clusters that
// "shoal up" and "shoal demo --cluster" start: they re-run it as their
// workers, and cluster.Main, first thing in main, makes such a process
// serve tasks instead of parsing a command line.
package main

import (
	"os"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/internal/cli"
)

func main() {
	cluster.Main()
	os.Exit(cli.Execute())
}

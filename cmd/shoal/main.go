// Command shoal runs shoal's demo and, later, its cluster: see
// "shoal --help".
package main

import (
	"os"

	"github.com/shoal-go/shoal/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}

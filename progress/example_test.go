package progress_test

import (
	"os"
	"time"

	"github.com/shoal-go/shoal/progress"
)

// A bar counts the items of a loop; a bar started with a parent is nested
// under it. In plain mode, nested bars shorter than the interval print
// nothing, and each top-level bar prints a final line.
func Example() {
	progress.Configure(progress.Config{
		Output: os.Stdout,
		Mode:   progress.ModePlain,
		Clock:  func() time.Time { return time.Time{} }, // stopped, for a reproducible output
	})

	assets := progress.Start("assets", 3, nil)
	for range 3 {
		traders := progress.Start("traders", 2, assets)
		traders.Add(1)
		traders.Add(1)
		traders.Finish()
		assets.Add(1)
	}
	assets.Finish()
	// Output:
	// assets: 3/3 (100%) in 0.0s
}

// A stream doesn't know its total until its input ends.
func ExampleBar_SetTotal() {
	progress.Configure(progress.Config{
		Output: os.Stdout,
		Mode:   progress.ModePlain,
		Clock:  func() time.Time { return time.Time{} },
	})

	lines := progress.Start("lines", -1, nil)
	for range 5 {
		lines.Add(1)
	}
	lines.SetTotal(lines.Done()) // end of input
	lines.Finish()
	// Output:
	// lines: 5/5 (100%) in 0.0s
}

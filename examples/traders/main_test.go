package traders_test

import (
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/progress"
)

// The test binary is also the workers' binary of the cluster test and
// benchmark: cluster.Main makes a worker process serve and exit. Run draws
// progress bars; the tests send them nowhere. The progress renderer is
// process-wide, so no test here changes its configuration.
func TestMain(m *testing.M) {
	cluster.Main()
	progress.SetOutput(io.Discard, false)
	goleak.VerifyTestMain(m)
}

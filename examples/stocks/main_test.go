package stocks_test

import (
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/progress"
)

// The stages draw progress bars; the tests send them nowhere. The progress
// renderer is process-wide, so no test here changes its configuration.
func TestMain(m *testing.M) {
	cluster.Main() // in a worker process started by TestCluster, this serves and exits
	progress.SetOutput(io.Discard, false)
	goleak.VerifyTestMain(m)
}

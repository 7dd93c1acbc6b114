package traders_test

import (
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/progress"
)

// Run draws progress bars; the tests send them nowhere. The progress
// renderer is process-wide, so no test here changes its configuration.
func TestMain(m *testing.M) {
	progress.SetOutput(io.Discard, false)
	goleak.VerifyTestMain(m)
}

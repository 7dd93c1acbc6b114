package progress_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The renderer is process-wide, so the tests in this package configure it in
// turn and don't run in parallel.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

package cli_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The commands configure the process-wide progress renderer, so the tests
// in this package run one at a time.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

package cli_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/cluster"
)

// The commands configure the process-wide progress renderer, so the tests
// in this package run one at a time.
//
// The clusters that up, demo --cluster and the tests start re-run this test
// binary as their workers: cluster.Main makes such a process serve tasks
// and exit instead of running the tests.
func TestMain(m *testing.M) {
	cluster.Main()
	goleak.VerifyTestMain(m)
}

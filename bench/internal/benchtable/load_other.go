//go:build !linux

package benchtable

import (
	"context"
	"time"
)

type cpuSnapshot struct{}

func snapshotCPU() cpuSnapshot { return cpuSnapshot{} }

func otherLoad(a, b cpuSnapshot, wall time.Duration) float64 { return -1 }

func loadAverage() string { return "unknown" }

func waitIdle(ctx context.Context, max time.Duration, threshold float64) (time.Duration, float64) {
	return 0, -1
}

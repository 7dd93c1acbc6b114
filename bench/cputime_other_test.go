//go:build !linux

package bench

import "time"

var processStart = time.Now()

// threadCPU stands for the CPU time of the calling thread where it is not
// measured: the time since the process started, so that a difference is
// wall time (CPU time and more, if other threads share the cores).
func threadCPU() time.Duration { return time.Since(processStart) }

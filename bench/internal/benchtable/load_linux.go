package benchtable

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSnapshot is the machine's busy CPU time and the CPU time of this
// process's finished children, at one moment.
type cpuSnapshot struct {
	busy, children time.Duration
	ok             bool
}

// userHZ is the unit of /proc/stat on every Linux architecture Go supports.
const userHZ = 100

func snapshotCPU() cpuSnapshot {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSnapshot{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return cpuSnapshot{}
	}
	var total, idle uint64
	for i, s := range f[1:] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cpuSnapshot{}
		}
		if i >= 7 { // guest and guest_nice are already counted in user and nice
			break
		}
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return cpuSnapshot{}
	}
	children := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpuSnapshot{busy: time.Duration(total-idle) * time.Second / userHZ, children: children, ok: true}
}

// otherLoad returns the average number of CPUs that processes other than
// our children kept busy between a and b, wall apart, or -1 if unknown.
func otherLoad(a, b cpuSnapshot, wall time.Duration) float64 {
	if !a.ok || !b.ok || wall <= 0 {
		return -1
	}
	other := (b.busy - a.busy) - (b.children - a.children)
	return max(0, float64(other)/float64(wall))
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// waitIdle waits, up to max, until processes other than ours keep less than
// threshold CPUs busy over a one-second window. It returns how long it
// waited and the load of the last window (-1 if unknown).
func waitIdle(ctx context.Context, max time.Duration, threshold float64) (time.Duration, float64) {
	start := time.Now()
	for {
		a := snapshotCPU()
		t := time.Now()
		select {
		case <-ctx.Done():
			return time.Since(start), -1
		case <-time.After(time.Second):
		}
		load := otherLoad(a, snapshotCPU(), time.Since(t))
		if load < threshold || time.Since(start) >= max {
			return time.Since(start), load
		}
	}
}

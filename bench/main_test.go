package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal/cluster"
)

// probeEnv names the probe a child process runs instead of the tests.
const probeEnv = "SHOAL_BENCH_PROBE"

var probeTimeout = flag.Duration("probe-timeout", 10*time.Second, "how long a deadlock probe may run before it is killed and counted as deadlocked")

func TestMain(m *testing.M) {
	cluster.Main() // in a worker process of a cluster benchmark, this serves and exits
	if url := os.Getenv(floorEnv); url != "" {
		os.Exit(floorWorker(url))
	}
	if name := os.Getenv(probeEnv); name != "" {
		os.Exit(probeChild(name))
	}
	os.Exit(m.Run())
}

// probeChild runs one probe and prints its result on standard output for
// runProbe to read.
func probeChild(name string) int {
	probe, ok := probes[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown probe %q\n", name)
		return 2
	}
	w := probeWorkload()
	start := time.Now()
	v, err := probe(w)
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	keep(v)
	fmt.Printf("elapsed-ns %d\nmax-running %d\n", elapsed.Nanoseconds(), w.g.peak.Load())
	return 0
}

type probeResult struct {
	deadlock   float64 // 1 if the probe never finished
	elapsed    time.Duration
	maxRunning int64
	reason     string
}

// runProbe re-executes the test binary to run probe name, and kills it if
// it has not finished after probeTimeout: a deadlocked goroutine cannot be
// stopped any other way.
func runProbe(b *testing.B, name string) probeResult {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), probeEnv+"="+name)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	switch {
	case ctx.Err() != nil:
		return probeResult{deadlock: 1, elapsed: wall, reason: fmt.Sprintf("no result after %v: killed", *probeTimeout)}
	case err != nil && strings.Contains(stderr.String(), "all goroutines are asleep - deadlock"):
		return probeResult{deadlock: 1, elapsed: wall, reason: "the Go runtime reported: all goroutines are asleep - deadlock"}
	case err != nil:
		b.Fatalf("probe %s: %v\n%s", name, err, stderr.String())
	}
	var r probeResult
	var ns int64
	if _, err := fmt.Sscanf(stdout.String(), "elapsed-ns %d\nmax-running %d", &ns, &r.maxRunning); err != nil {
		b.Fatalf("probe %s: reading %q: %v", name, stdout.String(), err)
	}
	r.elapsed = time.Duration(ns)
	return r
}

package cluster_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// The functions of TestTwoBuilds. The worker, testdata/twobuilds, registers
// twobuilds.echo with the same signature, twobuilds.scale with one more
// field in its argument, and no twobuilds.driverOnly. Their arguments are
// unnamed struct types, so that the two builds' types differ only where
// the test means them to (named types of two packages differ by their
// package path too).
func init() {
	shoal.Register(twoBuildsEcho, shoal.Name("twobuilds.echo"))
	shoal.Register(twoBuildsScale, shoal.Name("twobuilds.scale"))
	shoal.Register(twoBuildsDriverOnly, shoal.Name("twobuilds.driverOnly"))
}

func twoBuildsEcho(_ context.Context, a struct{ Text string }) (string, error) { return a.Text, nil }

func twoBuildsScale(_ context.Context, a struct{ X int }) (int, error) { return a.X, nil }

func twoBuildsDriverOnly(_ context.Context, x int) (int, error) { return x, nil }

// TestTwoBuilds runs tasks on a worker that is another binary, built by the
// test from testdata/twobuilds: a function registered in both with the
// same signature runs; one whose argument has another field fails with
// ErrSignature naming the function and both signatures; one the worker
// lacks fails with shoal.ErrNotRegistered naming it.
func TestTwoBuilds(t *testing.T) {
	bin := buildTwoBuilds(t)
	c := start(t, cluster.Workers(1), cluster.Binary(bin))
	ctx := ctxFor(t, 20*time.Second)

	got, err := shoal.Submit(ctx, c, twoBuildsEcho, struct{ Text string }{"same"}).Get(ctx)
	if err != nil || got != "same" {
		t.Errorf("twobuilds.echo = %q, %v; want %q, nil (the same signature in both builds)", got, err, "same")
	}

	_, err = shoal.Submit(ctx, c, twoBuildsScale, struct{ X int }{2}).Get(ctx)
	if !errors.Is(err, cluster.ErrSignature) {
		t.Errorf("twobuilds.scale: err = %v; want ErrSignature", err)
	}
	for _, want := range []string{
		`twobuilds.scale`,
		"func(context.Context, struct { X int }) (int, error)",             // the driver's
		"func(context.Context, struct { X int; Factor int }) (int, error)", // the worker's
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("twobuilds.scale: err = %v; want it to name %s", err, want)
		}
	}

	_, err = shoal.Submit(ctx, c, twoBuildsDriverOnly, 1).Get(ctx)
	if !errors.Is(err, shoal.ErrNotRegistered) || !strings.Contains(err.Error(), `"twobuilds.driverOnly"`) {
		t.Errorf("twobuilds.driverOnly: err = %v; want ErrNotRegistered naming twobuilds.driverOnly", err)
	}
}

// buildTwoBuilds builds testdata/twobuilds into a temporary directory and
// returns the binary's path. It builds with -race when this test binary
// was built with it, so that the build reuses the packages go test has
// just compiled.
func buildTwoBuilds(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build testdata/twobuilds: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "twobuilds")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	args := []string{"build", "-o", bin}
	if raceEnabled() {
		args = append(args, "-race")
	}
	args = append(args, "./testdata/twobuilds")
	start := time.Now()
	out, err := exec.CommandContext(t.Context(), gocmd, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return bin
}

// raceEnabled reports whether this binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

package sleepfarm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/sleepfarm"
)

// small is the seed's shape, shorter: 6 tasks of 50 ms.
var small = sleepfarm.Config{Tasks: 6, Sleep: 50 * time.Millisecond}

// checkTasks checks that every task of cfg ran once, in order, slept its
// time, and was run by one of res.Workers in this process.
func checkTasks(t *testing.T, name string, res sleepfarm.Result, cfg sleepfarm.Config) {
	t.Helper()
	if len(res.Tasks) != cfg.Tasks {
		t.Fatalf("%s: %d task reports, want %d", name, len(res.Tasks), cfg.Tasks)
	}
	for i, r := range res.Tasks {
		if r.Task != i {
			t.Errorf("%s: Tasks[%d].Task = %d, want %d", name, i, r.Task, i)
		}
		if r.Slept < cfg.Sleep {
			t.Errorf("%s: task %d slept %v, want at least %v", name, i, r.Slept, cfg.Sleep)
		}
		if r.Worker.PID != os.Getpid() {
			t.Errorf("%s: task %d ran in pid %d, want this process's %d", name, i, r.Worker.PID, os.Getpid())
		}
	}
	if res.Processes() != 1 {
		t.Errorf("%s: Processes() = %d, want 1", name, res.Processes())
	}
}

func TestRunEqualsSequential(t *testing.T) {
	t.Parallel()
	want, err := sleepfarm.Sequential(t.Context(), small)
	if err != nil {
		t.Fatal(err)
	}
	checkTasks(t, "Sequential", want, small)
	if len(want.Workers) != 1 || want.Workers[0].Lane != 0 {
		t.Errorf("Sequential ran on %v, want one worker, lane 0", want.Workers)
	}
	sum := time.Duration(small.Tasks) * small.Sleep
	if want.Wall < sum {
		t.Errorf("Sequential took %v, want at least the sum of the sleeps, %v", want.Wall, sum)
	}

	for _, workers := range []int{1, 3, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := sleepfarm.Run(t.Context(), pool, small)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): Run: %v", workers, err)
		}
		name := fmt.Sprintf("Run on Workers(%d)", workers)
		checkTasks(t, name, got, small)
		if n := min(workers, small.Tasks); len(got.Workers) != n {
			t.Errorf("%s ran on %d workers %v, want %d", name, len(got.Workers), got.Workers, n)
		}
		if workers == 1 && !equalWorkers(got.Workers, want.Workers) {
			t.Errorf("%s ran on %v, want Sequential's %v", name, got.Workers, want.Workers)
		}
		if workers > 1 && got.Wall >= sum {
			t.Errorf("%s took %v, want less than the sum of the sleeps, %v", name, got.Wall, sum)
		}
	}
}

func equalWorkers(a, b []sleepfarm.Worker) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Two runs at once on one pool count their lanes apart: each sees only its
// own tasks' lanes.
func TestConcurrentRunsCountLanesApart(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	cfg := sleepfarm.Config{Tasks: 4, Sleep: 50 * time.Millisecond}
	type outcome struct {
		res sleepfarm.Result
		err error
	}
	done := make(chan outcome, 2)
	for range 2 {
		go func() {
			res, err := sleepfarm.Run(t.Context(), pool, cfg, shoal.Limit(2))
			done <- outcome{res, err}
		}()
	}
	for range 2 {
		o := <-done
		if o.err != nil {
			t.Fatal(o.err)
		}
		if len(o.res.Workers) != 2 {
			t.Errorf("a run limited to 2 at once ran on %v, want 2 lanes", o.res.Workers)
		}
	}
}

// On a cluster each worker process has its own pid, and counts lanes on
// its own: 2 processes of 2 slots show 4 workers, 2 lanes in each.
func TestRunOnCluster(t *testing.T) {
	t.Parallel()
	c, err := cluster.Start(t.Context(), cluster.Workers(2), cluster.Slots(2), cluster.Output(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := sleepfarm.Config{Tasks: 8, Sleep: 100 * time.Millisecond}
	res, err := sleepfarm.Run(t.Context(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tasks) != cfg.Tasks {
		t.Fatalf("%d task reports, want %d", len(res.Tasks), cfg.Tasks)
	}
	if res.Processes() != 2 || len(res.Workers) != 4 {
		t.Errorf("ran on %v: %d processes, want 4 workers in 2 processes", res.Workers, res.Processes())
	}
	for _, w := range res.Workers {
		if w.PID == os.Getpid() || w.Lane > 1 {
			t.Errorf("worker %v: want a worker process's pid, lane 0 or 1", w)
		}
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := sleepfarm.Run(ctx, pool, sleepfarm.Config{Tasks: 8, Sleep: 30 * time.Second})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run cancelled mid-run: err = %v, want context.Canceled", err)
		}
		if wait := time.Since(cancelled); wait > 2*time.Second { // far less than the work left; room for a loaded machine
			t.Errorf("Run returned %v after cancel, want promptly", wait)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
}

func TestSequentialCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sleepfarm.Sequential(ctx, sleepfarm.Config{Tasks: 3, Sleep: 30 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sequential past its deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second { // far less than the work; room for a loaded machine
		t.Errorf("Sequential took %v with a 50ms deadline, want it to stop promptly", took)
	}
}

func TestRunInvalid(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	if _, err := sleepfarm.Run(t.Context(), pool, small, shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("Run with Limit(0): err = %v, want shoal.ErrInvalidOption", err)
	}
	bad := sleepfarm.Config{Tasks: 0, Sleep: time.Millisecond}
	if _, err := sleepfarm.Run(t.Context(), pool, bad); !errors.Is(err, sleepfarm.ErrInvalidConfig) {
		t.Errorf("Run(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
	if _, err := sleepfarm.Sequential(t.Context(), bad); !errors.Is(err, sleepfarm.ErrInvalidConfig) {
		t.Errorf("Sequential(%+v): err = %v, want ErrInvalidConfig", bad, err)
	}
}

func TestConfigFor(t *testing.T) {
	t.Parallel()
	for _, size := range []string{"small", "default", "large"} {
		cfg, err := sleepfarm.ConfigFor(size)
		if err != nil {
			t.Errorf("ConfigFor(%q): %v", size, err)
			continue
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("ConfigFor(%q) = %+v: %v", size, cfg, err)
		}
	}
	def, _ := sleepfarm.ConfigFor("default")
	if def.Tasks != 10 || def.Sleep != time.Second || def.Rounds(sleepfarm.Slots) != 3 {
		t.Errorf("ConfigFor(\"default\") = %+v in %d rounds, want the seed's 10 tasks of 1s in 3 rounds", def, def.Rounds(sleepfarm.Slots))
	}
	_, err := sleepfarm.ConfigFor("huge")
	if !errors.Is(err, sleepfarm.ErrInvalidConfig) || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("ConfigFor(\"huge\"): err = %v, want ErrInvalidConfig naming the size", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg sleepfarm.Config
		ok  bool
	}{
		{sleepfarm.Config{Tasks: 1}, true},
		{sleepfarm.Config{Tasks: sleepfarm.MaxTasks, Sleep: sleepfarm.MaxSleep}, true},
		{sleepfarm.Config{Tasks: 0, Sleep: time.Second}, false},
		{sleepfarm.Config{Tasks: sleepfarm.MaxTasks + 1}, false},
		{sleepfarm.Config{Tasks: 1, Sleep: -time.Second}, false},
		{sleepfarm.Config{Tasks: 1, Sleep: sleepfarm.MaxSleep + 1}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, sleepfarm.ErrInvalidConfig) {
			t.Errorf("%+v.Validate() = %v, want ok = %v", tt.cfg, err, tt.ok)
		}
	}
}

func TestResultString(t *testing.T) {
	t.Parallel()
	res := sleepfarm.Result{
		Config:  sleepfarm.Config{Tasks: 2, Sleep: time.Second},
		Tasks:   make([]sleepfarm.Report, 2),
		Workers: []sleepfarm.Worker{{Host: "a", PID: 1, Lane: 0}, {Host: "a", PID: 2, Lane: 0}},
		Wall:    1500 * time.Millisecond,
	}
	if got, want := res.String(), "2 tasks × 1s ran on 2 workers in 2 processes in 1.50s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

package benchtable

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Config says what Main runs and where it writes.
type Config struct {
	Dir     string // the bench module's directory, where go test runs
	Out     string // the Markdown file to write
	Count   int    // -count of each benchmark
	Quick   bool   // every benchmark once, for trying the tool
	Command string // the command that produced the file, as printed in it
	// IdleWait is how long to wait, before each go test command, for other
	// processes to leave the CPUs alone (under 0.25 CPUs busy over a second);
	// 0 starts at once.
	IdleWait time.Duration
	Log      io.Writer // receives go test's output as it runs
	// Only, if not nil, keeps the benchmarks whose function it matches.
	Only *regexp.Regexp
}

// Main runs every invocation of the plan, one after the other, and writes
// the Markdown report to cfg.Out, keeping the hand-written part of the file
// it replaces (see HandWritten). A failed go test does not stop the run:
// its section says so and Main returns an error once the report is
// written.
func Main(ctx context.Context, cfg Config) error {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, "go.mod")); err != nil {
		return fmt.Errorf("benchtable: %s is not the bench module: %w", cfg.Dir, err)
	}
	m := machine(ctx, cfg.Dir)
	m.LoadBefore = loadAverage()
	plan := Plan(cfg.Count, cfg.Quick)
	if cfg.Only != nil {
		plan = slices.DeleteFunc(plan, func(inv *Invocation) bool { return !cfg.Only.MatchString(inv.Func) })
	}
	set := NewSet()
	var failed []string
	for _, inv := range plan {
		if cfg.IdleWait > 0 {
			fmt.Fprintf(cfg.Log, "\nwaiting up to %v for the CPUs to be idle...", cfg.IdleWait)
			inv.Waited, inv.IdleLoad = waitIdle(ctx, cfg.IdleWait, busyLoad)
			fmt.Fprintf(cfg.Log, " waited %v (other load %.2f CPUs)", inv.Waited.Round(time.Second), inv.IdleLoad)
		}
		fmt.Fprintf(cfg.Log, "\n$ %s\n", inv.Command())
		runInvocation(ctx, cfg.Dir, inv, cfg.Log)
		o, err := Parse(strings.NewReader(inv.Output))
		if err == nil {
			set.Add(o)
			for k, v := range o.Header {
				m.Header[k] = v
			}
		} else if inv.Err == nil {
			inv.Err = err
		}
		if inv.Err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", inv.Func, inv.Err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	m.LoadAfter = loadAverage()
	m.Procs = set.Procs()
	kept, err := handWritten(cfg.Out)
	if err != nil {
		return err
	}
	report := Render(Report{Machine: m, Command: cfg.Command, Plan: plan, Set: set, Notes: kept})
	if err := os.WriteFile(cfg.Out, []byte(withHandWritten(report, kept)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "\nwrote %s\n", cfg.Out)
	if len(failed) > 0 {
		return fmt.Errorf("benchtable: %d go test runs failed:\n%s", len(failed), strings.Join(failed, "\n"))
	}
	return nil
}

// runInvocation runs one go test command in dir, copying its output to log
// as it comes, and records the output, duration, error and other load in
// inv.
func runInvocation(ctx context.Context, dir string, inv *Invocation, log io.Writer) {
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", inv.Args()...)
	cmd.Dir = dir
	cmd.Stdout = io.MultiWriter(&buf, log)
	cmd.Stderr = cmd.Stdout
	before := snapshotCPU()
	start := time.Now()
	inv.Err = cmd.Run()
	inv.Duration = time.Since(start)
	inv.OtherLoad = otherLoad(before, snapshotCPU(), inv.Duration)
	inv.Output = buf.String()
}

// Machine describes where the benchmarks ran.
type Machine struct {
	Date       time.Time
	NumCPU     int
	Procs      int // GOMAXPROCS of the benchmarks
	GoVersion  string
	Kernel     string
	Header     map[string]string // from go test: goos, goarch, cpu
	LoadBefore string
	LoadAfter  string
}

func machine(ctx context.Context, dir string) Machine {
	m := Machine{Date: time.Now().UTC(), NumCPU: runtime.NumCPU(), Header: map[string]string{}}
	m.GoVersion = runtime.Version()
	cmd := exec.CommandContext(ctx, "go", "version")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out))
	}
	m.Kernel = runtime.GOOS
	if out, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		m.Kernel = strings.TrimSpace(string(out))
	}
	return m
}

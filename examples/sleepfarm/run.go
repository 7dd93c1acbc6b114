package sleepfarm

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// Worker identifies where a task ran: a host, a process and a lane (see
// the package documentation).
type Worker struct {
	Host string
	PID  int
	Lane int
}

// String returns "host pid 1234 lane 0".
func (w Worker) String() string { return fmt.Sprintf("%s pid %d lane %d", w.Host, w.PID, w.Lane) }

func compareWorkers(a, b Worker) int {
	return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.PID, b.PID), cmp.Compare(a.Lane, b.Lane))
}

// Job is the argument of Who: one task of one run.
type Job struct {
	Run   uint64        // the run's id: lanes are counted per run
	Task  int           // the task's position, from 0
	Sleep time.Duration // how long to sleep
}

// Report is what Who returns: which task it was, who ran it and how long
// it slept.
type Report struct {
	Task   int
	Worker Worker
	Slept  time.Duration
}

// Result is the answer: who ran the tasks, and how long it took.
type Result struct {
	Config Config
	// Tasks holds each task's report, in task order.
	Tasks []Report
	// Workers lists the distinct workers that ran tasks, by host, pid and
	// lane: Slots of them for the default Config on Slots slots.
	Workers []Worker
	// Wall is the time the run took, from the first task's dispatch to
	// the last one's return.
	Wall time.Duration
}

// Processes counts the distinct processes among r.Workers: 1 on a pool.
func (r Result) Processes() int {
	n := 0
	for i, w := range r.Workers {
		if i == 0 || w.Host != r.Workers[i-1].Host || w.PID != r.Workers[i-1].PID {
			n++
		}
	}
	return n
}

// String returns the answer on one line, as
// "10 tasks × 1s ran on 4 workers in 1 process in 3.00s".
func (r Result) String() string {
	return fmt.Sprintf("%d tasks × %v ran on %s in %s in %.2fs",
		len(r.Tasks), r.Config.Sleep, plural(len(r.Workers), "worker"), plural(r.Processes(), "process"), r.Wall.Seconds())
}

// plural returns "1 worker", "2 workers", "1 process", "2 processes".
func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case noun[len(noun)-1] == 's':
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func init() {
	shoal.Register(Who, shoal.Name("sleepfarm.Who"))
}

// host is this machine's name, looked up once.
var host = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown-host"
	}
	return h
})

// Who is the seed's who(i): it takes a lane, sleeps for j.Sleep and reports
// the host, pid and lane it ran on. If ctx is done before the sleep ends,
// it returns ctx's error at once.
func Who(ctx context.Context, j Job) (Report, error) {
	lane := takeLane(j.Run)
	defer giveLane(j.Run, lane)
	start := time.Now()
	t := time.NewTimer(j.Sleep)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
	return Report{
		Task:   j.Task,
		Worker: Worker{Host: host(), PID: os.Getpid(), Lane: lane},
		Slept:  time.Since(start),
	}, nil
}

// jobs returns the tasks of one run of cfg.
func jobs(cfg Config) []Job {
	run := rand.Uint64() // only needs to differ from concurrent runs
	js := make([]Job, cfg.Tasks)
	for i := range js {
		js[i] = Job{Run: run, Task: i, Sleep: cfg.Sleep}
	}
	return js
}

// Run farms cfg's tasks out to ex with a shoal.Map of Who, with
// shoal.Progress("sleepfarm") and then opts, and reports who ran them. The
// seed's answer (4 workers, about 3 s) expects ex to run Slots tasks at
// once, like shoal.NewPool(shoal.Workers(Slots)).
//
// Run blocks until every task has stopped. If ctx is done first it returns
// ctx's error at once: the sleeps watch their context. An invalid cfg
// returns an error wrapping ErrInvalidConfig, an invalid option one
// wrapping shoal.ErrInvalidOption. A nil ex panics.
func Run(ctx context.Context, ex shoal.Executor, cfg Config, opts ...shoal.Option) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	all := append([]shoal.Option{shoal.Progress("sleepfarm")}, opts...)
	start := time.Now()
	reports, err := shoal.Map(ctx, ex, jobs(cfg), Who, all...)
	if err != nil {
		return Result{}, err
	}
	return result(cfg, reports, time.Since(start)), nil
}

// Sequential runs cfg's tasks one after the other on the calling goroutine,
// the seed's single-process loop: one worker, Tasks × Sleep of wall time.
// It draws a progress bar, "sequential". If ctx is done first it returns
// ctx's error at once; an invalid cfg returns an error wrapping
// ErrInvalidConfig.
func Sequential(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	bar := progress.Start("sequential", cfg.Tasks, nil)
	defer bar.Finish()
	start := time.Now()
	js := jobs(cfg)
	reports := make([]Report, 0, len(js))
	for _, j := range js {
		r, err := Who(ctx, j)
		if err != nil {
			return Result{}, err
		}
		reports = append(reports, r)
		bar.Add(1)
	}
	return result(cfg, reports, time.Since(start)), nil
}

func result(cfg Config, reports []Report, wall time.Duration) Result {
	var ws []Worker
	for _, r := range reports {
		ws = append(ws, r.Worker)
	}
	slices.SortFunc(ws, compareWorkers)
	ws = slices.Compact(ws)
	return Result{Config: cfg, Tasks: reports, Workers: ws, Wall: wall}
}

package cli

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// demoCluster is the cluster of demo --cluster: worker processes of this
// program on this machine.
type demoCluster struct {
	c     *cluster.Cluster
	procs int
	slots int // per process
}

// startDemoCluster starts a cluster of o.cluster worker processes with the
// pool's o.workers slots split among them, printing what it starts on w,
// prefixed by lead; the workers print on errw.
func startDemoCluster(ctx context.Context, w, errw io.Writer, o demoOptions, lead string) (*demoCluster, error) {
	slots := max(1, (o.workers+o.cluster-1)/o.cluster)
	fmt.Fprintf(w, "%s%s × %s, started ", lead, processes(o.cluster), plural(slots, "slot"))
	start := time.Now()
	c, err := cluster.Start(ctx, cluster.Workers(o.cluster), cluster.Slots(slots), cluster.Output(errw))
	if err != nil {
		fmt.Fprintln(w)
		return nil, stopped(ctx, err)
	}
	fmt.Fprintf(w, "in %s\n", seconds(time.Since(start)))
	return &demoCluster{c: c, procs: o.cluster, slots: slots}, nil
}

// close stops the cluster, setting *err to the failure if it had none.
func (c *demoCluster) close(err *error) {
	if c == nil {
		return
	}
	if cerr := c.c.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("demo: stopping the cluster: %w", cerr)
	}
}

// String describes the cluster: "2 worker processes × 1 slot".
func (c *demoCluster) String() string {
	return processes(c.procs) + " × " + plural(c.slots, "slot")
}

// demoOutcome is what running one workload found.
type demoOutcome struct {
	name                     string
	job                      *demoJob
	seq, par, cl             any
	seqTime, parTime, clTime time.Duration
	parWorkers               int
	parAgrees, clAgrees      bool
	clErr                    error // the cluster run's failure, ctx not done
}

// agrees reports whether every answer agrees with the sequential one.
func (r *demoOutcome) agrees() bool {
	return r.parAgrees && r.clErr == nil && (r.cl == nil || r.clAgrees)
}

// runJob runs job sequentially, then on a pool (of --workers, or the
// job's own) and, if cl is not nil, on cl, printing a line before each run
// on w, prefixed with indent.
func runJob(ctx context.Context, w io.Writer, indent, name string, job *demoJob, o demoOptions, pool *shoal.Pool, cl *demoCluster) (*demoOutcome, error) {
	r := &demoOutcome{name: name, job: job, parWorkers: o.workers}
	agree := job.agree
	if agree == nil {
		agree = func(a, b any) bool { return reflect.DeepEqual(a, b) }
	}

	fmt.Fprintf(w, "%ssequential, %s:\n", indent, job.seqHow)
	start := time.Now()
	seq, err := job.seq(ctx)
	r.seqTime = time.Since(start)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	r.seq = seq

	if job.workers > 0 && job.workers != o.workers {
		r.parWorkers = job.workers
		pool = shoal.NewPool(shoal.Workers(job.workers))
		defer pool.Close()
		fmt.Fprintf(w, "%sparallel, %s on a pool of %s, %s:\n", indent, job.parHow, workers(job.workers), job.poolWhy)
	} else {
		fmt.Fprintf(w, "%sparallel, %s, %s:\n", indent, job.parHow, workers(o.workers))
	}
	start = time.Now()
	par, err := job.par(ctx, pool)
	r.parTime = time.Since(start)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	r.par, r.parAgrees = par, agree(seq, par)

	if cl != nil {
		fmt.Fprintf(w, "%scluster, the same maps on %s:\n", indent, cl)
		start = time.Now()
		res, err := job.par(ctx, cl.c)
		r.clTime = time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				return nil, interrupted(ctx, "demo")
			}
			// The caller reports it: the other runs' answers stand.
			r.clErr = fmt.Errorf("demo %s on the cluster: %w", name, err)
			return r, nil
		}
		r.cl, r.clAgrees = res, agree(seq, res)
	}
	return r, nil
}

// runOneDemo runs the workload wl alone and prints its answer in full, the
// timings and whether the answers agree.
func runOneDemo(ctx context.Context, w, errw io.Writer, wl demoWorkload, o demoOptions) (err error) {
	if ctx.Err() != nil {
		return interrupted(ctx, "demo")
	}
	job, err := wl.prepare(ctx, w, o)
	if err != nil {
		return stopped(ctx, err)
	}
	if job.cleanup != nil {
		defer job.cleanup()
	}
	fmt.Fprintf(w, "shoal demo %s: %s (seed question %s)\n\n", wl.name, job.about, wl.seed)
	pool := shoal.NewPool(shoal.Workers(o.workers))
	defer pool.Close()
	var cl *demoCluster
	if o.cluster > 0 {
		if cl, err = startDemoCluster(ctx, w, errw, o, "cluster of "); err != nil {
			return err
		}
		defer cl.close(&err)
	}
	r, err := runJob(ctx, w, "", wl.name, job, o, pool, cl)
	if err != nil {
		return err
	}
	if r.clErr != nil {
		return r.clErr
	}
	fmt.Fprintln(w)
	job.detail(w, r.par)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "              time  speedup")
	fmt.Fprintf(w, "sequential  %6s\n", seconds(r.seqTime))
	fmt.Fprintf(w, "parallel    %6s  %6.2f×  on %s\n", seconds(r.parTime), speedup(r.seqTime, r.parTime), workers(r.parWorkers))
	if cl != nil {
		fmt.Fprintf(w, "cluster     %6s  %6.2f×  on %s\n", seconds(r.clTime), speedup(r.seqTime, r.clTime), cl)
	}
	return checkAgreement(w, r, "")
}

// checkAgreement prints whether r's answers agree, and returns an error if
// they do not.
func checkAgreement(w io.Writer, r *demoOutcome, indent string) error {
	if r.clErr != nil {
		fmt.Fprintf(w, "%sthe cluster run FAILED: %v\n", indent, r.clErr)
		return r.clErr
	}
	if !r.parAgrees {
		fmt.Fprintf(w, "%sthe sequential and parallel answers DISAGREE\n", indent)
		return fmt.Errorf("demo %s: the sequential and parallel answers disagree", r.name)
	}
	if r.cl != nil {
		if !r.clAgrees {
			fmt.Fprintf(w, "%sthe cluster's answer DISAGREES with the sequential and parallel ones\n", indent)
			return fmt.Errorf("demo %s: the cluster's answer disagrees", r.name)
		}
		fmt.Fprintf(w, "%sthe three answers agree: %s\n", indent, r.job.same)
		return nil
	}
	fmt.Fprintf(w, "%sboth answers agree: %s\n", indent, r.job.same)
	return nil
}

// runAllDemos runs every workload, printing a header and the answer of
// each, then a summary table.
func runAllDemos(ctx context.Context, w, errw io.Writer, o demoOptions) (err error) {
	if ctx.Err() != nil {
		return interrupted(ctx, "demo")
	}
	began := time.Now()
	names := make([]string, len(demoWorkloads))
	for i, wl := range demoWorkloads {
		names[i] = wl.name
	}
	fmt.Fprintf(w, "shoal demo: the %d seed workloads (%s), size %s,\n", len(demoWorkloads), strings.Join(names, ", "), o.size)
	fmt.Fprintf(w, "each run sequentially, then in parallel on a pool of %s", workers(o.workers))
	if o.cluster > 0 {
		fmt.Fprintf(w, ", then on a cluster")
	}
	fmt.Fprintln(w, ", and checked to agree")
	pool := shoal.NewPool(shoal.Workers(o.workers))
	defer pool.Close()
	var cl *demoCluster
	if o.cluster > 0 {
		if cl, err = startDemoCluster(ctx, w, errw, o, "cluster: "); err != nil {
			return err
		}
		defer cl.close(&err)
	}

	var outcomes []*demoOutcome
	for _, wl := range demoWorkloads {
		fmt.Fprintln(w)
		r, err := runListed(ctx, w, wl, o, pool, cl)
		if err != nil {
			return err
		}
		outcomes = append(outcomes, r)
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "workload\tanswer\tparallel\tsequential\tspeedup\t"
	if cl != nil {
		header += "cluster\tspeedup\t"
	}
	fmt.Fprintln(tw, header+"answers")
	var failed []string
	for _, r := range outcomes {
		verdict := "agree"
		if !r.agrees() {
			verdict = "DISAGREE"
			failed = append(failed, r.name)
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%.2f×\t", r.name, r.job.short(r.par), seconds(r.parTime), seconds(r.seqTime), speedup(r.seqTime, r.parTime))
		switch {
		case r.clErr != nil:
			line += "failed\t-\t"
			verdict = "cluster failed"
		case cl != nil:
			line += fmt.Sprintf("%s\t%.2f×\t", seconds(r.clTime), speedup(r.seqTime, r.clTime))
		}
		fmt.Fprintln(tw, line+verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ntotal %s, preparing the inputs and every run included\n", seconds(time.Since(began)))
	if len(failed) > 0 {
		return fmt.Errorf("demo: %s failed the check (see above)", strings.Join(failed, ", "))
	}
	fmt.Fprintf(w, "all answers agree: every parallel%s answer equals its sequential one\n", map[bool]string{true: " and cluster", false: ""}[cl != nil])
	return nil
}

// runListed prepares and runs the workload wl for the summary of
// runAllDemos, printing its header and its answer.
func runListed(ctx context.Context, w io.Writer, wl demoWorkload, o demoOptions, pool *shoal.Pool, cl *demoCluster) (*demoOutcome, error) {
	job, err := wl.prepare(ctx, w, o)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	if job.cleanup != nil {
		defer job.cleanup()
	}
	fmt.Fprintf(w, "%s (seed %s): %s\n", wl.name, wl.seed, job.about)
	r, err := runJob(ctx, w, "  ", wl.name, job, o, pool, cl)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "  answer: %s\n", job.line(r.par))
	fmt.Fprintf(w, "  sequential %s, parallel %s (speedup %.2f×)", seconds(r.seqTime), seconds(r.parTime), speedup(r.seqTime, r.parTime))
	if cl != nil && r.clErr == nil {
		fmt.Fprintf(w, ", cluster %s (%.2f×)", seconds(r.clTime), speedup(r.seqTime, r.clTime))
	}
	fmt.Fprintln(w)
	_ = checkAgreement(w, r, "  ") // reported in the summary
	return r, nil
}

// speedup returns seq/par.
func speedup(seq, par time.Duration) float64 { return seq.Seconds() / par.Seconds() }

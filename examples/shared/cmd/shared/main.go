// Command shared runs the workload of seed question 004: one big read-only
// dataset, generated once and shared through shoal.Put, and 16 different
// statistics of it computed 5 at a time on a pool, then one after the
// other, and prints the statistics, both times and the speedup.
//
//	go run ./examples/shared/cmd/shared [-size small|default|large] [-workers N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/shared"
)

func main() {
	size := flag.String("size", "default", "workload size: small, default or large")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "how many tasks the pool runs at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *size, *workers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, size string, workers int) error {
	cfg, err := shared.ConfigFor(size)
	if err != nil {
		return err
	}
	if workers < 1 {
		return errors.New("shared: -workers must be at least 1")
	}
	pool := shoal.NewPool(shoal.Workers(workers))
	defer pool.Close()

	start := time.Now()
	d, err := shared.Generate(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d values (%.0f MB) in %.2fs; 16 statistics with shoal.Limit(%d) on %d workers\n",
		cfg.N, float64(cfg.Bytes())/1e6, time.Since(start).Seconds(), shared.AtOnce, workers)

	start = time.Now()
	par, err := shared.RunData(ctx, pool, d, shared.Stats())
	parTime := time.Since(start)
	if err != nil {
		return err
	}
	start = time.Now()
	seq, err := shared.SequentialData(ctx, d, shared.Stats())
	seqTime := time.Since(start)
	if err != nil {
		return err
	}

	for _, v := range par.Values {
		fmt.Printf("  %-16s %16.6g\n", v.Stat, v.Value)
	}
	fmt.Printf("parallel %.3fs, sequential %.3fs, speedup %.2f×\n",
		parTime.Seconds(), seqTime.Seconds(), seqTime.Seconds()/parTime.Seconds())
	if !reflect.DeepEqual(par, seq) {
		return fmt.Errorf("the parallel and sequential answers differ: %v", seq)
	}
	fmt.Println("the parallel and sequential answers are identical")
	return nil
}

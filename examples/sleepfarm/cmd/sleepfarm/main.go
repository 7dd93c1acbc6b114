// Command sleepfarm runs the workload of seed question 002: ten tasks that
// sleep for a second each on a pool of four workers, reporting who ran
// them, then the same tasks one after the other, and prints the answer,
// both times and the speedup.
//
//	go run ./examples/sleepfarm/cmd/sleepfarm [-size small|default|large] [-workers 4]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/sleepfarm"
)

func main() {
	size := flag.String("size", "default", "workload size: small, default or large")
	workers := flag.Int("workers", sleepfarm.Slots, "how many tasks the pool runs at once")
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
	cfg, err := sleepfarm.ConfigFor(size)
	if err != nil {
		return err
	}
	if workers < 1 {
		return errors.New("sleepfarm: -workers must be at least 1")
	}
	pool := shoal.NewPool(shoal.Workers(workers))
	defer pool.Close()

	fmt.Printf("%d tasks sleeping %v each on %d workers: expect about %d rounds, %v\n",
		cfg.Tasks, cfg.Sleep, workers, cfg.Rounds(workers), time.Duration(cfg.Rounds(workers))*cfg.Sleep)
	par, err := sleepfarm.Run(ctx, pool, cfg)
	if err != nil {
		return err
	}
	seq, err := sleepfarm.Sequential(ctx, cfg)
	if err != nil {
		return err
	}

	fmt.Println("parallel:  ", par)
	for _, r := range par.Tasks {
		fmt.Printf("  task %d: %v\n", r.Task, r.Worker)
	}
	fmt.Println("sequential:", seq)
	fmt.Printf("parallel %.2fs, sequential %.2fs, speedup %.2f×\n",
		par.Wall.Seconds(), seq.Wall.Seconds(), seq.Wall.Seconds()/par.Wall.Seconds())
	return nil
}

// Command powers runs the workload of seed question 001: the mean of x^p
// over millions of deterministic pseudo-random normal values, for p in 1,
// 2, 12 and 15, in parallel on a pool and then sequentially, and prints
// the means beside their theoretical values, both times and the speedup.
//
//	go run ./examples/powers/cmd/powers [-size small|default|large] [-workers N]
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
	"github.com/shoal-go/shoal/examples/powers"
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
	cfg, err := powers.ConfigFor(size)
	if err != nil {
		return err
	}
	if workers < 1 {
		return errors.New("powers: -workers must be at least 1")
	}
	pool := shoal.NewPool(shoal.Workers(workers))
	defer pool.Close()

	fmt.Printf("mean of x^p over %d normal values in chunks of %d, on %d workers\n", cfg.N, cfg.Chunk, workers)
	start := time.Now()
	par, err := powers.Run(ctx, pool, cfg)
	parTime := time.Since(start)
	if err != nil {
		return err
	}
	start = time.Now()
	seq, err := powers.Sequential(ctx, cfg)
	seqTime := time.Since(start)
	if err != nil {
		return err
	}

	fmt.Println(par)
	for _, m := range par.Moments {
		fmt.Printf("  E[x^%-2d] ≈ %14.6f   theory %g\n", m.Power, m.Mean, m.Theory)
	}
	fmt.Printf("parallel %.3fs, sequential %.3fs, speedup %.2f×\n",
		parTime.Seconds(), seqTime.Seconds(), seqTime.Seconds()/parTime.Seconds())
	if !reflect.DeepEqual(par, seq) {
		return fmt.Errorf("the parallel and sequential answers differ: %v", seq)
	}
	fmt.Println("the parallel and sequential answers are identical")
	return nil
}

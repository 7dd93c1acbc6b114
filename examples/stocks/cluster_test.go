package stocks_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/stocks"
)

// The stages run unchanged on a cluster of worker processes (this test
// binary, re-run): the registered functions travel by name, their
// arguments and results, the shared Refs included, as CBOR. The workers
// read and write the files of this machine's temporary directory.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Workers(2), cluster.Slots(1), cluster.Output(io.Discard))
	if err != nil {
		t.Fatalf("cluster.Start: %v", err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	cfg := stocks.Config{Data: generated(t, small)}
	want, err := stocks.SequentialAll(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := stocks.RunAll(ctx, c, cfg)
	if err != nil {
		t.Fatalf("RunAll on a cluster: %v", err)
	}
	if got != want {
		t.Errorf("RunAll on a cluster = %+v\nSequentialAll = %+v", got, want)
	}
	// Stage 2 as array operations: the products run as chunk tasks on the
	// workers, their operands shared there as Refs.
	pq := converted(t, cfg.Data)
	pair, err := stocks.CorrelateArray(ctx, c, pq)
	if err != nil {
		t.Fatalf("CorrelateArray on a cluster: %v", err)
	}
	if wantPair, err := stocks.CorrelateSequential(ctx, pq); err != nil || !sameAnswer(pair, wantPair) {
		t.Errorf("CorrelateArray on a cluster = %+v, CorrelateSequential = %+v (%v)", pair, wantPair, err)
	}
}

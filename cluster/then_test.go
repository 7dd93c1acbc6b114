package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() {
	shoal.Register(ramp, shoal.Name("ramp"))
	shoal.Register(total, shoal.Name("total"))
	shoal.Register(lengths, shoal.Name("lengths"))
}

// ramp returns n floats: 0, 1, …, n-1.
func ramp(_ context.Context, n int) ([]float64, error) {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs, nil
}

func total(_ context.Context, xs []float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s, nil
}

func lengths(_ context.Context, xss [][]float64) (int, error) {
	n := 0
	for _, xs := range xss {
		n += len(xs)
	}
	return n, nil
}

// A value too large for a message, made by one task and consumed by
// another, stays in the cluster: the driver never reads it unless asked.
func TestThenByReference(t *testing.T) {
	c := start(t, cluster.Workers(2), cluster.Slots(1))
	ctx := ctxFor(t, 60*time.Second)
	const n = 300_000 // about 2.7 MB encoded: beyond the 1 MiB message limit

	big := shoal.Submit(ctx, c, ramp, n)
	sum := shoal.Then(ctx, c, big, total)
	if v, err := sum.Get(ctx); v != float64(n)*(n-1)/2 || err != nil {
		t.Fatalf("Then(total) over a large result = %v, %v", v, err)
	}
	other := shoal.Submit(ctx, c, ramp, n/2)
	small := shoal.Submit(ctx, c, ramp, 10)
	all := shoal.ThenAll(ctx, c, []*shoal.Future[[]float64]{big, other, small}, lengths)
	if v, err := all.Get(ctx); v != n+n/2+10 || err != nil {
		t.Fatalf("ThenAll(lengths) = %d, %v", v, err)
	}
	if got := cluster.KeptReads(c.Client); got != 0 {
		t.Fatalf("the driver read %d kept results; values passed between tasks should stay in the cluster", got)
	}

	xs, err := big.Get(ctx)
	if err != nil || len(xs) != n || xs[n-1] != n-1 {
		t.Fatalf("Get of the large result: %d values, %v", len(xs), err)
	}
	if got := cluster.KeptReads(c.Client); got != 1 {
		t.Fatalf("Get read %d kept results, want 1", got)
	}

	var ie *shoal.InputError
	failed := shoal.Submit(ctx, c, fails, "no data")
	if _, err := shoal.Then(ctx, c, failed, double).Get(ctx); !errors.As(err, &ie) || ie.Input != 0 || ie.Err.Error() != "no data" {
		t.Fatalf("Then over a failed task = %v, want *InputError naming input 0", err)
	}
}

// Closing the client deletes the results kept for its futures: a
// dependent made afterwards cannot find them, and says so.
func TestKeptResultsGoWithTheClient(t *testing.T) {
	c := start(t, cluster.Workers(1), cluster.Slots(2))
	ctx := ctxFor(t, 60*time.Second)
	big := shoal.Submit(ctx, c, ramp, 300_000)
	if err := shoal.Then(ctx, c, big, total).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	client, err := cluster.Connect(ctx, c.URL(), cluster.Token(c.Token()))
	if err != nil {
		t.Fatal(err)
	}
	keep := shoal.Submit(ctx, client, ramp, 300_000)
	if err := shoal.Then(ctx, client, keep, total).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = shoal.Then(ctx, c, keep, total).Get(ctx)
	if err == nil || !strings.Contains(err.Error(), "gone from the store") {
		t.Fatalf("a dependent of a result whose client closed = %v, want an error saying it is gone", err)
	}
}

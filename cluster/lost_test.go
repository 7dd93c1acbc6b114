package cluster_test

import (
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// An answer lost while the client's connection was down (answers travel
// over core NATS) does not leave its future pending: after the reconnect
// the client finds the task gone from the queue and sends it again.
func TestLostAnswerAfterReconnect(t *testing.T) {
	t.Parallel()
	w := serveOne(t)
	ctx := ctxFor(t, 30*time.Second)
	cl, err := cluster.Connect(ctx, w.url, cluster.Token(w.token), cluster.LostGrace(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	lost := cluster.LoseResults(cl, 1)
	f := shoal.Submit(ctx, cl, square, 7)
	<-lost
	if f.Ready() {
		t.Fatal("the future completed without its answer")
	}
	if err := cluster.ForceReconnect(cl); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx); err != nil || got != 49 {
		t.Fatalf("square(7) after a lost answer = %d, %v; want 49, nil", got, err)
	}
	// Calls that were answered are left alone.
	if got, err := shoal.Submit(ctx, cl, square, 8).Get(ctx); err != nil || got != 64 {
		t.Fatalf("square(8) = %d, %v; want 64, nil", got, err)
	}
}

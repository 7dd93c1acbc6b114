package array_test

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shoal-go/shoal/array"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/progress"
)

func init() {
	array.Register("cube", func(x float64) float64 { return x * x * x })
	array.Register("boom", func(x float64) float64 {
		if x > 0.9 {
			panic("boom")
		}
		return x
	})
}

var shared struct {
	once sync.Once
	c    *cluster.Cluster
	err  error
}

// sharedCluster starts, once, the 2-worker cluster the tests share
// (closed by TestMain), or skips t under -short.
func sharedCluster(t *testing.T) *cluster.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	shared.once.Do(func() {
		shared.c, shared.err = cluster.Start(context.Background(), cluster.Workers(2), cluster.Slots(2), cluster.Output(io.Discard))
	})
	if shared.err != nil {
		t.Fatalf("cluster.Start: %v", shared.err)
	}
	return shared.c
}

func TestMain(m *testing.M) {
	cluster.Main() // in a worker process started by sharedCluster, this serves and exits
	progress.SetOutput(io.Discard, false)
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.Close(); err != nil && code == 0 {
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

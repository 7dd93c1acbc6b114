package shoal

import (
	"context"
	"sync"
)

// Executor is where tasks run: a *Pool on this machine, or a cluster
// executor from the cluster package. The interface is sealed: only this
// module's types implement it.
type Executor interface {
	isExecutor()
}

var (
	defaultOnce sync.Once
	defaultPool *Pool
)

// Default returns the process's default pool, with runtime.GOMAXPROCS(0)
// workers, created on first use and never closed (it holds no goroutines
// while idle).
func Default() *Pool {
	defaultOnce.Do(func() { defaultPool = NewPool() })
	return defaultPool
}

// From returns the executor running the task whose context is ctx, so a
// task can fan out onto the same pool or cluster: nested work shares the
// outer bound instead of multiplying it. Outside any task it returns
// Default(), so a function that calls From works both at top level and
// nested.
func From(ctx context.Context) Executor {
	if ex, ok := ctx.Value(executorKey{}).(Executor); ok {
		return ex
	}
	return Default()
}

// local returns the pool behind ex, panicking on a nil executor.
func local(ex Executor) *Pool {
	switch ex := ex.(type) {
	case *Pool:
		if ex == nil {
			panic("shoal: nil *Pool")
		}
		return ex
	case nil:
		panic("shoal: nil Executor")
	default:
		panic("shoal: unknown Executor")
	}
}

package shoal

import (
	"context"
	"fmt"
	"runtime"

	"github.com/shoal-go/shoal/internal/sched"
)

// Pool runs tasks on the cores of this machine, at most Workers(n) at once.
// It is safe for concurrent use. An idle Pool holds no goroutines: they
// are started when work arrives and exit when there is none, so a Pool
// that is never closed leaks nothing but its small struct.
//
// Tasks that wait — Future.Get, Gather, a nested Map — from inside a task
// of the same pool give their slot to other work while they wait and take
// one back afterwards, so nesting at any depth completes, even on
// Workers(1), and no more than n user functions ever run at once.
type Pool struct {
	s *sched.Pool
}

// PoolOption configures NewPool.
type PoolOption func(*poolConfig)

type poolConfig struct{ workers int }

// Workers sets how many tasks the pool runs at once. The default is
// runtime.GOMAXPROCS(0). NewPool panics if n is less than 1.
func Workers(n int) PoolOption { return func(c *poolConfig) { c.workers = n } }

// NewPool returns a pool ready for work. It panics on an invalid option,
// such as Workers(0): that is a bug in the calling code, not a run-time
// condition.
func NewPool(opts ...PoolOption) *Pool {
	c := poolConfig{workers: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.workers < 1 {
		panic(fmt.Sprintf("shoal: Workers(%d): must be at least 1", c.workers))
	}
	p := &Pool{s: sched.New(c.workers)}
	p.s.Owner = p
	return p
}

// Size reports how many tasks the pool runs at once.
func (p *Pool) Size() int { return p.s.Size() }

// Close stops the pool from accepting work and waits for every task
// already submitted to finish. Later submissions fail with ErrClosed.
// It always returns nil and may be called more than once. Calling it from
// inside one of the pool's own tasks deadlocks.
func (p *Pool) Close() error {
	p.s.Close()
	return nil
}

func (p *Pool) isExecutor() {}

// submit queues t, on the calling task's slot when ctx belongs to a task of
// this pool.
func (p *Pool) submit(ctx context.Context, t sched.Task) error {
	if err := p.s.Submit(t, workerFrom(ctx)); err != nil {
		return ErrClosed
	}
	return nil
}

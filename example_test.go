package shoal_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shoal-go/shoal"
)

// A nested loop — for each asset, for each trader — as nested maps on one
// pool: the inner Map runs on the same pool through From, shares its bound
// and never deadlocks.
func Example() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	assets := map[string][]int{"gold": {5, -2, 7}, "oil": {-1, 3}, "rice": {-4}}
	names := []string{"gold", "oil", "rice"}
	smart, err := shoal.Map(ctx, pool, names, func(ctx context.Context, asset string) ([]string, error) {
		traders := assets[asset]
		good, err := shoal.Map(ctx, shoal.From(ctx), traders, func(ctx context.Context, pnl int) (bool, error) {
			return pnl > 0, nil
		})
		var ids []string
		for i, ok := range good {
			if ok {
				ids = append(ids, fmt.Sprintf("%s/%d", asset, i))
			}
		}
		return ids, err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slices.Concat(smart...))
	// Output: [gold/0 gold/2 oil/1]
}

func ExampleMap() {
	ctx := context.Background()
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()

	squares, err := shoal.Map(ctx, pool, []int{1, 2, 3, 4}, func(_ context.Context, x int) (int, error) {
		return x * x, nil
	})
	fmt.Println(squares, err)
	// Output: [1 4 9 16] <nil>
}

func ExampleMap_errors() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	parse := func(_ context.Context, s string) (int, error) {
		var n int
		_, err := fmt.Sscan(s, &n)
		return n, err
	}
	_, err := shoal.Map(ctx, pool, []string{"1", "two", "3"}, parse)
	var te *shoal.TaskError
	if errors.As(err, &te) {
		fmt.Println("item", te.Index, "failed")
	}
	// CollectErrors runs every item and keeps the good results.
	out, err := shoal.Map(ctx, pool, []string{"1", "two", "3"}, parse, shoal.CollectErrors())
	fmt.Println(out, err != nil)
	// Output:
	// item 1 failed
	// [1 0 3] true
}

func ExampleForEach() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	files := []string{"a.csv", "b.csv", "c.csv"}
	converted := make([]string, len(files)) // each item writes only its own slot
	err := shoal.ForEach(ctx, pool, files, func(_ context.Context, name string) error {
		i := slices.Index(files, name)
		converted[i] = strings.TrimSuffix(name, ".csv") + ".parquet"
		return nil
	}, shoal.Limit(2))
	fmt.Println(converted, err)
	// Output: [a.parquet b.parquet c.parquet] <nil>
}

func ExampleStream() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	// An endless input: Stream reads only a bounded window ahead.
	naturals := func(yield func(int) bool) {
		for i := 1; yield(i); i++ {
		}
	}
	for sq, err := range shoal.Stream(ctx, pool, naturals, func(_ context.Context, x int) (int, error) {
		return x * x, nil
	}) {
		if err != nil || sq > 30 {
			break // stops reading the input and cancels the rest
		}
		fmt.Print(sq, " ")
	}
	fmt.Println()
	// Output: 1 4 9 16 25
}

func ExampleSubmit() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	slowAdd := func(_ context.Context, p [2]int) (int, error) { return p[0] + p[1], nil }
	f := shoal.Submit(ctx, pool, slowAdd, [2]int{1, 2})
	sum, err := f.Get(ctx)
	fmt.Println(sum, err)
	// Output: 3 <nil>
}

func ExampleGo() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	f := shoal.Go(ctx, pool, func(context.Context) (string, error) { return "hello", nil })
	fmt.Println(f.Get(ctx))
	// Output: hello <nil>
}

func ExampleGather() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	var fs []*shoal.Future[int]
	for i := range 5 {
		fs = append(fs, shoal.Go(ctx, pool, func(context.Context) (int, error) { return i * 10, nil }))
	}
	fmt.Println(shoal.Gather(ctx, fs))
	// Output: [0 10 20 30 40] <nil>
}

func ExampleAsCompleted() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	var fs []*shoal.Future[int]
	for i := range 3 {
		fs = append(fs, shoal.Go(ctx, pool, func(context.Context) (int, error) { return i, nil }))
	}
	sum := 0
	for f := range shoal.AsCompleted(ctx, fs) {
		v, _ := f.Get(ctx)
		sum += v
	}
	fmt.Println(sum)
	// Output: 3
}

func ExampleFuture_Cancel() {
	ctx := context.Background()
	pool := shoal.NewPool(shoal.Workers(1))
	defer pool.Close()

	f := shoal.Go(ctx, pool, func(ctx context.Context) (int, error) {
		<-ctx.Done() // a long task that honours its context
		return 0, ctx.Err()
	})
	f.Cancel()
	_, err := f.Get(ctx)
	fmt.Println(err)
	// Output: context canceled
}

func ExampleFrom() {
	ctx := context.Background()
	pool := shoal.NewPool(shoal.Workers(1)) // nesting completes even on one worker
	defer pool.Close()

	out, err := shoal.Map(ctx, pool, []int{1, 2, 3}, func(ctx context.Context, n int) (int, error) {
		inner, err := shoal.Map(ctx, shoal.From(ctx), make([]int, n), func(context.Context, int) (int, error) {
			return 1, nil
		})
		return len(inner), err
	})
	fmt.Println(out, err)
	// Output: [1 2 3] <nil>
}

func ExamplePut() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	big := []float64{1, 2, 3, 4} // imagine 50 million of them
	ref, err := shoal.Put(ctx, pool, big)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ref.Release(ctx)

	stats := []func([]float64) float64{
		func(d []float64) float64 { return slices.Max(d) },
		func(d []float64) float64 { return slices.Min(d) },
	}
	out, err := shoal.Map(ctx, pool, stats, func(ctx context.Context, f func([]float64) float64) (float64, error) {
		d, err := ref.Get(ctx) // the same slice, never copied
		if err != nil {
			return 0, err
		}
		return f(d), nil
	}, shoal.Limit(5))
	fmt.Println(out, err)
	// Output: [4 1] <nil>
}

func celsius(_ context.Context, f float64) (float64, error) { return (f - 32) * 5 / 9, nil }

// Registration belongs in init, in every binary that drives or serves a
// cluster, so that driver and workers know the same names.
func init() { shoal.Register(celsius, shoal.Name("units.celsius")) }

// celsius is registered by this file's init function:
//
//	func init() { shoal.Register(celsius, shoal.Name("units.celsius")) }
//
// A registered function runs the same on a pool and, by name, on a cluster.
func ExampleRegister() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()
	fmt.Println(shoal.Submit(ctx, pool, celsius, 212).Get(ctx))
	// Output: 100 <nil>
}

func ExampleNewPool() {
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	fmt.Println(pool.Size())
	// Output: 2
}

// A task graph: two loads feed a join, whose result feeds a report. Then
// and ThenAll return at once; each task starts when its inputs are ready.
func ExampleThen() {
	ctx := context.Background()
	pool := shoal.NewPool()
	defer pool.Close()

	load := func(_ context.Context, name string) ([]int, error) {
		return map[string][]int{"a": {1, 2, 3}, "b": {10, 20}}[name], nil
	}
	a := shoal.Submit(ctx, pool, load, "a")
	b := shoal.Submit(ctx, pool, load, "b")
	joined := shoal.ThenAll(ctx, pool, []*shoal.Future[[]int]{a, b}, func(_ context.Context, parts [][]int) ([]int, error) {
		return slices.Concat(parts...), nil
	})
	report := shoal.Then(ctx, pool, joined, func(_ context.Context, xs []int) (string, error) {
		return fmt.Sprintf("%d values, max %d", len(xs), slices.Max(xs)), nil
	})
	fmt.Println(report.Get(ctx))

	failed := shoal.Go(ctx, pool, func(context.Context) ([]int, error) { return nil, errors.New("disk full") })
	_, err := shoal.Then(ctx, pool, failed, func(_ context.Context, xs []int) (int, error) { return len(xs), nil }).Get(ctx)
	fmt.Println(err)
	// Output:
	// 5 values, max 20 <nil>
	// shoal: input 0 failed: disk full
}

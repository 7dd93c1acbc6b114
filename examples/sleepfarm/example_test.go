package sleepfarm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/sleepfarm"
)

// The seed question, shorter: 6 tasks of 50 ms on 3 workers take 2 rounds,
// and report 3 workers, all in this process.
func Example() {
	cfg := sleepfarm.Config{Tasks: 6, Sleep: 50 * time.Millisecond}
	pool := shoal.NewPool(shoal.Workers(3))
	defer pool.Close()
	res, err := sleepfarm.Run(context.Background(), pool, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.Tasks), "tasks ran on", len(res.Workers), "workers in", res.Processes(), "process")
	for _, w := range res.Workers {
		fmt.Println("lane", w.Lane)
	}
	fmt.Println("rounds:", cfg.Rounds(pool.Size()))
	fmt.Println("faster than one after the other:", res.Wall < time.Duration(cfg.Tasks)*cfg.Sleep)
	// Output:
	// 6 tasks ran on 3 workers in 1 process
	// lane 0
	// lane 1
	// lane 2
	// rounds: 2
	// faster than one after the other: true
}

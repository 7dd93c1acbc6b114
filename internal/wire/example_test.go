package wire_test

import (
	"errors"
	"fmt"

	"github.com/shoal-go/shoal/internal/wire"
)

func Example() {
	type point struct{ X, Y int }

	c, err := wire.New(wire.Limits{MaxBytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	data, err := c.Marshal(map[string]point{"b": {3, 4}, "a": {1, 2}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", data)

	var got map[string]point
	if err := c.Unmarshal(data, &got); err != nil {
		panic(err)
	}
	fmt.Println(got)

	err = c.Unmarshal(data[:len(data)-1], &got)
	fmt.Println(errors.Is(err, wire.ErrMalformed))
	// Output:
	// a26161a26158016159026162a2615803615904
	// map[a:{1 2} b:{3 4}]
	// true
}

package traders_test

import (
	"context"
	"fmt"
	"reflect"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/traders"
)

// The seed question: per asset in parallel, per trader in parallel inside
// it, then an analysis of the smart traders found.
func Example() {
	d := traders.Generate(traders.Config{Assets: 3, Traders: 20, Trades: 40, Seed: 3})

	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	res, err := traders.Run(context.Background(), pool, d)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Printf("%d of %d traders are smart\n", len(res.Smart), res.Traders)
	for _, a := range res.PerAsset {
		fmt.Printf("asset %d: %d smart, VWAP $%.2f\n", a.Asset, a.Smart, a.VWAP/100)
	}
	for _, t := range res.Top {
		fmt.Printf("trader %d (asset %d): realised $%.2f, p = %.4f\n", t.Trader, t.Asset, float64(t.PnL)/100, t.PValue)
	}
	fmt.Println("same as sequential:", reflect.DeepEqual(res, traders.Sequential(d)))
	// Output:
	// 4 of 60 traders are smart
	// asset 0: 2 smart, VWAP $123.56
	// asset 1: 0 smart, VWAP $81.79
	// asset 2: 2 smart, VWAP $89.71
	// trader 18 (asset 0): realised $1861.62, p = 0.0003
	// trader 52 (asset 2): realised $990.76, p = 0.0003
	// trader 55 (asset 2): realised $882.29, p = 0.0003
	// trader 5 (asset 0): realised $130.33, p = 0.0003
	// same as sequential: true
}

func ExampleRealised() {
	trades := []traders.Trade{
		{Side: traders.Buy, Qty: 4, Price: 100_00},  // long 4 at $100
		{Side: traders.Buy, Qty: 5, Price: 110_00},  // long 5 more at $110
		{Side: traders.Sell, Qty: 6, Price: 120_00}, // closes the 4 at $100, then 2 of the 5 at $110
	}
	fmt.Printf("$%.2f\n", float64(traders.Realised(trades))/100)
	// Output: $100.00
}

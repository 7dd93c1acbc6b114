package traders_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/examples/traders"
)

// small is big enough to have smart traders and small enough for -race.
var small = traders.Config{Assets: 4, Traders: 40, Trades: 30, Seed: 3}

func TestRunEqualsSequential(t *testing.T) {
	t.Parallel()
	d := traders.Generate(small)
	want := traders.Sequential(d)
	if len(want.Smart) == 0 || len(want.Top) == 0 {
		t.Fatalf("Sequential found no smart traders in %+v; pick a config that has some", small)
	}
	if want.Traders != small.Assets*small.Traders {
		t.Errorf("Sequential evaluated %d traders, want %d", want.Traders, small.Assets*small.Traders)
	}
	for _, workers := range []int{1, 4} {
		pool := shoal.NewPool(shoal.Workers(workers))
		got, err := traders.Run(t.Context(), pool, d)
		pool.Close()
		if err != nil {
			t.Fatalf("Workers(%d): Run: %v", workers, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Workers(%d): Run = %+v\nSequential = %+v", workers, got, want)
		}
	}
}

func TestResultInvariants(t *testing.T) {
	t.Parallel()
	d := traders.Generate(small)
	res := traders.Sequential(d)
	if len(res.PerAsset) != small.Assets {
		t.Fatalf("%d per-asset summaries, want %d", len(res.PerAsset), small.Assets)
	}
	smart := 0
	for a, s := range res.PerAsset {
		if s.Asset != a || s.Traders != small.Traders || s.Trades != small.Traders*small.Trades {
			t.Errorf("PerAsset[%d] = %+v, want asset %d, %d traders, %d trades", a, s, a, small.Traders, small.Traders*small.Trades)
		}
		smart += s.Smart
	}
	if smart != len(res.Smart) {
		t.Errorf("per-asset smart counts add up to %d, want len(Smart) = %d", smart, len(res.Smart))
	}
	for i, r := range res.Smart {
		if !r.Smart || r.PnL <= 0 || r.PValue > traders.Alpha {
			t.Errorf("Smart[%d] = %+v is not smart", i, r)
		}
		if i > 0 {
			p := res.Smart[i-1]
			if p.Asset > r.Asset || p.Asset == r.Asset && p.Trader >= r.Trader {
				t.Errorf("Smart[%d] = %+v out of order after %+v", i, r, p)
			}
		}
	}
	for i := 1; i < len(res.Top); i++ {
		if res.Top[i].PnL > res.Top[i-1].PnL {
			t.Errorf("Top[%d].PnL = %d > Top[%d].PnL = %d", i, res.Top[i].PnL, i-1, res.Top[i-1].PnL)
		}
	}
	if want := min(traders.TopN, len(res.Smart)); len(res.Top) != want {
		t.Errorf("len(Top) = %d, want %d", len(res.Top), want)
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	// Far more work than the test waits for: about 8 s of CPU without -race.
	d := traders.Generate(traders.Config{Assets: 8, Traders: 1000, Trades: 50, Seed: 1})
	pool := shoal.NewPool(shoal.Workers(4))
	defer pool.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := traders.Run(ctx, pool, d)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run cancelled mid-run: err = %v, want context.Canceled", err)
		}
		// Alone it returns within about 0.2 s (an asset's book, one
		// pass over the trades, is built without looking at ctx); the
		// bound leaves room for a loaded CI machine, and is still far
		// below the minutes the whole run takes under -race.
		if wait := time.Since(cancelled); wait > 5*time.Second {
			t.Errorf("Run returned %v after cancel, want promptly", wait)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
}

func TestRunCancelledBefore(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	if _, err := traders.Run(ctx, pool, traders.Generate(small)); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestRunInvalidOption(t *testing.T) {
	t.Parallel()
	pool := shoal.NewPool(shoal.Workers(2))
	defer pool.Close()
	if _, err := traders.Run(t.Context(), pool, traders.Generate(small), shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("Run with Limit(0): err = %v, want shoal.ErrInvalidOption", err)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	cfg := traders.Config{Assets: 3, Traders: 7, Trades: 5, Seed: 9}
	d := traders.Generate(cfg)
	if again := traders.Generate(cfg); !reflect.DeepEqual(d, again) {
		t.Fatal("Generate is not deterministic")
	}
	if other := traders.Generate(traders.Config{Assets: 3, Traders: 7, Trades: 5, Seed: 10}); reflect.DeepEqual(d.Trades, other.Trades) {
		t.Error("seeds 9 and 10 generate the same trades")
	}
	if len(d.Trades) != 3*7*5 {
		t.Fatalf("%d trades, want %d", len(d.Trades), 3*7*5)
	}
	perTrader := map[int]int{}
	for i, tr := range d.Trades {
		if i > 0 && tr.Time <= d.Trades[i-1].Time {
			t.Errorf("Trades[%d].Time = %v, not after %v", i, tr.Time, d.Trades[i-1].Time)
		}
		if tr.Trader/cfg.Traders != tr.Asset || tr.Asset < 0 || tr.Asset >= cfg.Assets {
			t.Errorf("Trades[%d] = %+v: trader %d does not belong to asset %d", i, tr, tr.Trader, tr.Asset)
		}
		if tr.Qty < 1 || tr.Price < 1 || (tr.Side != traders.Buy && tr.Side != traders.Sell) {
			t.Errorf("Trades[%d] = %+v: bad quantity, price or side", i, tr)
		}
		perTrader[tr.Trader]++
	}
	if len(perTrader) != 3*7 {
		t.Errorf("%d traders, want %d", len(perTrader), 3*7)
	}
	for id, n := range perTrader {
		if n != cfg.Trades {
			t.Errorf("trader %d has %d trades, want %d", id, n, cfg.Trades)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg traders.Config
		ok  bool
	}{
		{traders.Config{Assets: 1, Traders: 1, Trades: 1}, true},
		{traders.Config{Assets: 0, Traders: 1, Trades: 1}, false},
		{traders.Config{Assets: 1, Traders: -1, Trades: 1}, false},
		{traders.Config{Assets: 1, Traders: 1, Trades: 0}, false},
		{traders.Config{Assets: 1 << 20, Traders: 1 << 20, Trades: 1 << 20}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, traders.ErrInvalidConfig) {
			t.Errorf("%+v.Validate() = %v, want ok = %v", tt.cfg, err, tt.ok)
		}
	}
}

func TestRealised(t *testing.T) {
	t.Parallel()
	trade := func(side traders.Side, qty, price int64) traders.Trade {
		return traders.Trade{Side: side, Qty: qty, Price: price}
	}
	B, S := traders.Buy, traders.Sell
	tests := []struct {
		name   string
		trades []traders.Trade
		want   int64
	}{
		{"none", nil, 0},
		{"open only", []traders.Trade{trade(B, 10, 100)}, 0},
		{"round trip", []traders.Trade{trade(B, 10, 100), trade(S, 10, 130)}, 300},
		{"losing short", []traders.Trade{trade(S, 5, 100), trade(B, 5, 120)}, -100},
		// FIFO: the sale closes the lot bought at 100 first, then 2 of the
		// lot at 110; 3 shares stay open.
		{"fifo order", []traders.Trade{trade(B, 4, 100), trade(B, 5, 110), trade(S, 6, 120)}, 4*20 + 2*10},
		// A sale bigger than the position closes it and opens a short.
		{"flip", []traders.Trade{trade(B, 3, 100), trade(S, 5, 90), trade(B, 2, 80)}, 3*-10 + 2*10},
		{"partial closes", []traders.Trade{trade(S, 10, 200), trade(B, 3, 190), trade(B, 3, 180), trade(S, 1, 170)}, 3*10 + 3*20},
	}
	for _, tt := range tests {
		if got := traders.Realised(tt.trades); got != tt.want {
			t.Errorf("%s: Realised = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestSequentialContextCancel(t *testing.T) {
	t.Parallel()
	d := traders.Generate(traders.Config{Assets: 4, Traders: 1000, Trades: 50, Seed: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := traders.SequentialContext(ctx, d)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SequentialContext past its deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second { // far less than the work; room for a loaded machine
		t.Errorf("SequentialContext took %v with a 50ms deadline, want it to stop promptly", took)
	}
}

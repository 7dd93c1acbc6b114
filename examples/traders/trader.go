package traders

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
)

// Parameters of the smart-trader test.
const (
	// Shuffles is how many random reassignments of a trader's buy and sell
	// sides their timing score is compared with.
	Shuffles = 3000
	// Alpha is the largest p-value of a smart trader: the share of side
	// assignments (the trader's own and the shuffles) that score at least
	// as well as the trader did.
	Alpha = 0.001
)

// TraderResult is the verdict on one trader.
type TraderResult struct {
	Asset  int
	Trader int
	Trades int
	// PnL is the trader's realised profit in cents: their trades matched
	// first-in first-out into round trips, long or short; a position still
	// open at the end of the session counts for nothing.
	PnL int64
	// PValue measures the trader's timing: the share of Shuffles+1 side
	// assignments (the trader's own and the shuffles) whose timing score is
	// at least the trader's. The timing score sums, over the trader's
	// trades, side × quantity × the asset's price move from the trade to
	// one turn later: as many ticks of the asset's tape as there are
	// between two of the trader's trades on average.
	PValue float64
	// Smart reports PnL > 0 and PValue <= Alpha: the trader made money,
	// and their timing is unlikely to be luck.
	Smart bool
}

// book is one asset's slice of the table, grouped by trader: what the seed
// question's "df[df['Assets'] == asset]" and its per-asset calculations
// produce.
type book struct {
	asset   int
	prices  []int64 // the asset's tape: its trades' prices, in time order
	volume  int64   // shares traded
	notion  int64   // cents traded, for the VWAP
	traders []traderTrades
}

// traderTrades is one trader's transactions, in time order, with each
// one's position on the asset's tape.
type traderTrades struct {
	id     int
	trades []Trade
	ticks  []int
}

// bookOf selects asset's rows from d and groups them by trader, ordered by
// trader id. It scans the whole table, as the seed question's filter does.
func bookOf(d Data, asset int) book {
	b := book{asset: asset}
	byTrader := make(map[int]*traderTrades)
	for _, t := range d.Trades {
		if t.Asset != asset {
			continue
		}
		tt := byTrader[t.Trader]
		if tt == nil {
			tt = &traderTrades{id: t.Trader}
			byTrader[t.Trader] = tt
		}
		tt.trades = append(tt.trades, t)
		tt.ticks = append(tt.ticks, len(b.prices))
		b.prices = append(b.prices, t.Price)
		b.volume += t.Qty
		b.notion += t.Qty * t.Price
	}
	b.traders = make([]traderTrades, 0, len(byTrader))
	for _, tt := range byTrader {
		b.traders = append(b.traders, *tt)
	}
	slices.SortFunc(b.traders, func(x, y traderTrades) int { return cmp.Compare(x.id, y.id) })
	return b
}

// evaluate decides whether one trader of b is smart. Its result depends
// only on seed, b and tt. It checks ctx between batches of shuffles and
// returns ctx's error if it is done.
func evaluate(ctx context.Context, seed uint64, b *book, tt traderTrades) (TraderResult, error) {
	n := len(tt.trades)
	pnl := realised(tt.trades, make([]lot, 0, n))

	// The timing score is the dot product of the sides with w: each
	// trade's quantity times the price move over the next turn, the
	// trader's average number of ticks between two trades.
	turn := max(1, len(b.prices)/n)
	last := len(b.prices) - 1
	w := make([]int64, n)
	sides := make([]int64, n)
	var score int64
	for i, t := range tt.trades {
		tick := tt.ticks[i]
		w[i] = t.Qty * (b.prices[min(tick+turn, last)] - b.prices[tick])
		sides[i] = int64(t.Side)
		score += sides[i] * w[i]
	}

	rng := rand.NewPCG(seed, uint64(tt.id))
	atLeast := 1 // the trader's own sides
	for s := range Shuffles {
		if s%256 == 0 {
			if err := ctx.Err(); err != nil {
				return TraderResult{}, err
			}
		}
		shuffle(rng, sides)
		var sc int64
		for i, x := range sides {
			sc += x * w[i]
		}
		if sc >= score {
			atLeast++
		}
	}
	p := float64(atLeast) / float64(Shuffles+1)
	return TraderResult{
		Asset:  b.asset,
		Trader: tt.id,
		Trades: n,
		PnL:    pnl,
		PValue: p,
		Smart:  pnl > 0 && p <= Alpha,
	}, nil
}

// shuffle permutes s uniformly at random (Fisher-Yates), drawing bounded
// indices by Lemire's multiply-shift from 32-bit halves of rng's output.
// Its bias, below n/2³², is immaterial here; it is about three times as
// fast as rand.Shuffle.
func shuffle(rng *rand.PCG, s []int64) {
	for i := len(s) - 1; i > 0; i-- {
		j := int(uint64(uint32(rng.Uint64())) * uint64(i+1) >> 32)
		s[i], s[j] = s[j], s[i]
	}
}

// lot is an open position bought (qty > 0) or sold short (qty < 0) at one
// price.
type lot struct{ qty, price int64 }

// Realised returns the realised profit of one trader's trades, in cents:
// each trade closes the oldest open lots of the opposite direction first
// (FIFO), long or short, and whatever it does not close opens a new lot at
// its price. Lots still open at the end count for nothing. The trades must
// be in time order; Asset, Trader and Time are not looked at.
func Realised(trades []Trade) int64 { return realised(trades, make([]lot, 0, len(trades))) }

// realised is Realised with scratch space for the open lots, of capacity
// len(trades) so that it never allocates.
func realised(trades []Trade, lots []lot) int64 {
	lots = lots[:0]
	head := 0 // lots[head:] are open, all long or all short
	var pnl int64
	for _, t := range trades {
		q := int64(t.Side) * t.Qty
		for q != 0 && head < len(lots) && (lots[head].qty > 0) != (q > 0) {
			l := &lots[head]
			if l.qty > 0 { // a sale closes a long lot
				n := min(-q, l.qty)
				pnl += n * (t.Price - l.price)
				l.qty -= n
				q += n
			} else { // a purchase closes a short lot
				n := min(q, -l.qty)
				pnl += n * (l.price - t.Price)
				l.qty += n
				q -= n
			}
			if l.qty == 0 {
				head++
			}
		}
		if q != 0 {
			lots = append(lots, lot{qty: q, price: t.Price})
		}
	}
	return pnl
}

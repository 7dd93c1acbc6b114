package traders

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Config sizes a generated table. Equal Configs generate equal Data.
type Config struct {
	Assets  int    // how many assets, at least 1
	Traders int    // traders per asset, at least 1; every trader trades one asset
	Trades  int    // transactions per trader, at least 1
	Seed    uint64 // seeds the generator (and each trader's shuffles)
}

// ErrInvalidConfig wraps every error returned by Config.Validate.
var ErrInvalidConfig = errors.New("traders: invalid config")

// maxTrades bounds the table's size, so that sizes from a command line
// cannot ask for more memory than a demo should use.
const maxTrades = 50_000_000

// Validate reports whether c describes a table Generate can build: every
// size at least 1, and at most 50 million transactions in all.
func (c Config) Validate() error {
	switch {
	case c.Assets < 1:
		return fmt.Errorf("%w: %d assets: need at least 1", ErrInvalidConfig, c.Assets)
	case c.Traders < 1:
		return fmt.Errorf("%w: %d traders per asset: need at least 1", ErrInvalidConfig, c.Traders)
	case c.Trades < 1:
		return fmt.Errorf("%w: %d trades per trader: need at least 1", ErrInvalidConfig, c.Trades)
	case float64(c.Assets)*float64(c.Traders)*float64(c.Trades) > maxTrades:
		return fmt.Errorf("%w: %d×%d×%d transactions: at most %d", ErrInvalidConfig, c.Assets, c.Traders, c.Trades, maxTrades)
	}
	return nil
}

// Side is the direction of a trade.
type Side int8

// The two sides. Their values are the sign of the trade's effect on the
// trader's position.
const (
	Buy  Side = 1
	Sell Side = -1
)

func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return fmt.Sprintf("Side(%d)", int8(s))
}

// Trade is one row of the table: a trader bought or sold Qty shares of an
// asset at Price.
type Trade struct {
	Time   time.Duration // since the session opened
	Asset  int           // 0 to Config.Assets-1
	Trader int           // unique across the table: asset*Config.Traders + 0..Config.Traders-1
	Side   Side
	Qty    int64 // shares, at least 1
	Price  int64 // cents per share, at least 1
}

// Data is a generated table of transactions.
type Data struct {
	Config Config
	// Trades holds every transaction of every asset, in time order: the
	// table the seed question filters by asset.
	Trades []Trade
	// Informed counts the traders generated with an edge; the analysis
	// should find most of them smart.
	Informed int
}

// Generation parameters. They shape the data, not its size.
const (
	startPrice = 100_00 // cents: every asset starts near $100
	volatility = 0.0015 // standard deviation of a tick's log return
	informedP  = 0.05   // probability that a trader has an edge
	edge       = 0.8    // probability that an informed trader's trade uses its foresight
	tick       = time.Millisecond
)

// Generate builds the table that cfg describes, deterministically: the same
// cfg always gives the same Data. It panics if cfg.Validate fails. It costs
// a few tens of nanoseconds and about 50 bytes per transaction.
func Generate(cfg Config) Data {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5ea1_000))
	ticks := cfg.Traders * cfg.Trades
	tapes := make([][]Trade, cfg.Assets)
	informed := 0
	for a := range tapes {
		tape, n := generateAsset(rng, cfg, a)
		tapes[a], informed = tape, informed+n
	}
	// Interleave the tapes: tick t of asset a happens at (t*Assets+a) ms,
	// so the table is in time order.
	d := Data{Config: cfg, Trades: make([]Trade, 0, cfg.Assets*ticks), Informed: informed}
	for t := range ticks {
		for a := range tapes {
			tr := tapes[a][t]
			tr.Time = time.Duration(t*cfg.Assets+a) * tick
			d.Trades = append(d.Trades, tr)
		}
	}
	return d
}

// generateAsset returns one asset's tape of Traders*Trades trades and how
// many of its traders are informed.
func generateAsset(rng *rand.Rand, cfg Config, asset int) ([]Trade, int) {
	ticks := cfg.Traders * cfg.Trades

	// The price path, a geometric random walk in whole cents.
	price := make([]int64, ticks)
	p := float64(startPrice) * math.Exp(0.2*rng.NormFloat64())
	for t := range price {
		p *= math.Exp(volatility * rng.NormFloat64())
		price[t] = max(1, int64(math.Round(p)))
	}

	// Who trades at each tick: every trader exactly Trades times, in a
	// random order.
	who := make([]int, 0, ticks)
	for j := range cfg.Traders {
		for range cfg.Trades {
			who = append(who, j)
		}
	}
	rng.Shuffle(len(who), func(i, j int) { who[i], who[j] = who[j], who[i] })

	informed := make([]bool, cfg.Traders)
	n := 0
	for j := range informed {
		informed[j] = rng.Float64() < informedP
		if informed[j] {
			n++
		}
	}

	tape := make([]Trade, ticks)
	for t, j := range who {
		side := Sell
		if rng.IntN(2) == 0 {
			side = Buy
		}
		if informed[j] && rng.Float64() < edge {
			// Foresight: the price one trader's turn ahead, as many
			// ticks as the asset has traders.
			if ahead := price[min(t+cfg.Traders, ticks-1)]; ahead > price[t] {
				side = Buy
			} else if ahead < price[t] {
				side = Sell
			}
		}
		tape[t] = Trade{
			Asset:  asset,
			Trader: asset*cfg.Traders + j,
			Side:   side,
			Qty:    1 + rng.Int64N(100),
			Price:  price[t],
		}
	}
	return tape, n
}

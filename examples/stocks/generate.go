package stocks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// GenConfig sizes a generated dataset. Equal GenConfigs generate equal
// files.
type GenConfig struct {
	Symbols int    // how many symbols, one file each: 2 to 10,000
	Days    int    // trading days in the calendar: 100 to 100,000
	Seed    uint64 // seeds every random draw
}

// ErrInvalidConfig wraps every error about a GenConfig or a Config.
var ErrInvalidConfig = errors.New("stocks: invalid config")

// Bounds of a GenConfig, so that sizes from a command line cannot ask for
// more disk and memory than a demo should use.
const (
	minDays       = 100
	maxDays       = 100_000
	maxSymbols    = 10_000
	maxSymbolDays = 20_000_000 // about 2.2 GB of JSON lines
)

// Validate reports whether c describes a dataset Generate can write.
func (c GenConfig) Validate() error {
	switch {
	case c.Symbols < 2 || c.Symbols > maxSymbols:
		return fmt.Errorf("%w: %d symbols: need 2 to %d", ErrInvalidConfig, c.Symbols, maxSymbols)
	case c.Days < minDays || c.Days > maxDays:
		return fmt.Errorf("%w: %d days: need %d to %d", ErrInvalidConfig, c.Days, minDays, maxDays)
	case c.Symbols*c.Days > maxSymbolDays:
		return fmt.Errorf("%w: %d symbols × %d days: at most %d symbol-days", ErrInvalidConfig, c.Symbols, c.Days, maxSymbolDays)
	}
	return nil
}

// Generation parameters. They shape the data, not its size.
const (
	factorVol   = 0.010 // daily log-return volatility of the market and sector factors
	twinVol     = 0.015 // loading of the planted pair on their private common factor
	twinNoise   = 0.003 // the planted pair's own noise
	lateStartP  = 0.25  // probability that a symbol starts after the first day
	earlyEndP   = 0.05  // probability that a symbol stops before the last day
	missingDayP = 0.01  // probability that a day is missing from a symbol's file
	// meanReversion pulls a log price back towards its start by this share
	// a day: its spread stays within about ±0.5 over any number of days.
	meanReversion = 0.001
)

// firstDay is the first day of every generated calendar, a Monday.
var firstDay = time.Date(2010, time.January, 4, 0, 0, 0, 0, time.UTC)

// plan is what Generate decides before drawing any price: the symbols, in
// generation order, their sectors and the planted pair.
type plan struct {
	names   []string
	sector  []int
	sectors int
	p, q    int // the planted pair, indices into names
}

func newPlan(cfg GenConfig) plan {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x57_0c_45))
	pl := plan{names: make([]string, cfg.Symbols), sector: make([]int, cfg.Symbols)}
	seen := make(map[string]bool, cfg.Symbols)
	for i := range pl.names {
		for {
			name := ticker(rng)
			if !seen[name] && !reserved[name] {
				seen[name] = true
				pl.names[i] = name
				break
			}
		}
	}
	pl.sectors = min(max(1, cfg.Symbols/10), 20)
	for i := range pl.sector {
		pl.sector[i] = i % pl.sectors
	}
	// The twins: a random symbol and another of its sector.
	pl.p = rng.IntN(cfg.Symbols)
	members := (cfg.Symbols - pl.sector[pl.p] + pl.sectors - 1) / pl.sectors
	k := rng.IntN(members - 1)
	if pl.sector[pl.p]+k*pl.sectors >= pl.p {
		k++ // skip p itself
	}
	pl.q = pl.sector[pl.p] + k*pl.sectors
	return pl
}

// reserved holds the names Windows does not allow as file names.
var reserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true}

// ticker draws a name of three or four capital letters.
func ticker(rng *rand.Rand) string {
	b := make([]byte, 3+rng.IntN(2))
	for i := range b {
		b[i] = byte('A' + rng.IntN(26))
	}
	return string(b)
}

// PlantedPair returns the two symbols, in alphabetical order, that Generate
// gives a private common factor: the most correlated pair of the dataset,
// its daily log returns correlating at about 0.95, where no other pair
// passes about 0.75 (pairs of a sector share its factor and the market's,
// other pairs only the market's). It panics if cfg.Validate fails.
func PlantedPair(cfg GenConfig) (a, b string) {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	pl := newPlan(cfg)
	a, b = pl.names[pl.p], pl.names[pl.q]
	if b < a {
		a, b = b, a
	}
	return a, b
}

// Generate writes the dataset cfg describes into dir, creating dir if
// needed: one file <SYMBOL>.jsonl per symbol, a line per trading day,
//
//	{"date": "2010-01-04", "open": 61.2473, "high": 62.0911, "low": 60.8830, "close": 61.7002, "volume": 1183554}
//
// in date order. The calendar is cfg.Days weekdays from 2010-01-04. Each
// symbol's daily log returns are a market factor, its sector's factor and
// noise, with random loadings; one pair (see PlantedPair) also shares a
// private factor. About a quarter of the symbols start after the first day,
// a few stop before the last, and every symbol misses about 1% of the days,
// so the files have different lengths and must be aligned on dates.
//
// The same cfg always writes the same bytes. Each file is written whole or
// not at all: into a temporary file in dir, renamed into place once
// complete. Files of dir that Generate does not write are left alone.
// Generate returns an error wrapping ErrInvalidConfig if cfg.Validate
// fails, or the first error writing a file. It takes about 1 µs per line.
func Generate(dir string, cfg GenConfig) error {
	return GenerateContext(context.Background(), dir, cfg)
}

// GenerateContext is Generate with a context: if ctx is done, it returns
// ctx's error before writing the next file, leaving the files written so
// far.
func GenerateContext(ctx context.Context, dir string, cfg GenConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("stocks: %w", err)
	}
	pl := newPlan(cfg)

	// The factors: market, one per sector, and the twins' private one.
	frng := rand.New(rand.NewPCG(cfg.Seed, 0xfac7_0125))
	market := normals(frng, cfg.Days, factorVol)
	sectors := make([][]float64, pl.sectors)
	for s := range sectors {
		sectors[s] = normals(frng, cfg.Days, factorVol)
	}
	twin := normals(frng, cfg.Days, twinVol)

	ret := make([]float64, cfg.Days)
	var line []byte
	for i, name := range pl.names {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x5_0000_0000+uint64(i)))
		bm := 0.5 + 0.5*rng.Float64()
		bs := 0.5 + 0.7*rng.Float64()
		noise := 0.008 + 0.007*rng.Float64()
		twinned := i == pl.p || i == pl.q
		if twinned {
			noise = twinNoise
		}
		sec := sectors[pl.sector[i]]
		for t := range ret {
			ret[t] = bm*market[t] + bs*sec[t] + noise*rng.NormFloat64()
			if twinned {
				ret[t] += twin[t]
			}
		}
		// The span of days the symbol trades. One twin trades from the
		// first day to the last and the other never stops early, so that
		// the pair overlaps on at least half the calendar.
		start, end := 0, cfg.Days
		if i != pl.q && rng.Float64() < lateStartP {
			start = 1 + rng.IntN(cfg.Days/2)
		}
		if !twinned && rng.Float64() < earlyEndP {
			end = cfg.Days/2 + rng.IntN(cfg.Days/2)
		}
		// The log price follows the returns, pulled gently towards where
		// it started so that long series stay within sensible prices.
		base := math.Log(60) + 0.7*rng.NormFloat64()
		logp := base
		err := writeFile(filepath.Join(dir, name+".jsonl"), func(bw *bufio.Writer) error {
			for t := start; t < end; t++ {
				open := math.Exp(logp + 0.004*rng.NormFloat64())
				logp += ret[t] - meanReversion*(logp-base)
				price := math.Exp(logp)
				high := max(open, price) * math.Exp(math.Abs(0.006*rng.NormFloat64()))
				low := min(open, price) * math.Exp(-math.Abs(0.006*rng.NormFloat64()))
				volume := int64(math.Exp(math.Log(1e6) + rng.NormFloat64()))
				if t > start && rng.Float64() < missingDayP {
					continue // a day missing from the file
				}
				line = appendLine(line[:0], tradingDay(t), open, high, low, price, volume)
				if _, err := bw.Write(line); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("stocks: generating %s: %w", name, err)
		}
	}
	return nil
}

// normals returns n draws from N(0, sd²).
func normals(rng *rand.Rand, n int, sd float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = sd * rng.NormFloat64()
	}
	return v
}

// tradingDay returns the date of the calendar's day t, as days since
// 1970-01-01: the t-th weekday from firstDay.
func tradingDay(t int) int32 {
	weeks, day := t/5, t%5
	return int32(firstDay.Unix()/86400) + int32(7*weeks+day)
}

// appendLine appends one JSON line, prices to 4 decimals.
func appendLine(b []byte, date int32, open, high, low, close float64, volume int64) []byte {
	b = append(b, `{"date": "`...)
	b = appendDate(b, date)
	b = append(b, `", "open": `...)
	b = strconv.AppendFloat(b, open, 'f', 4, 64)
	b = append(b, `, "high": `...)
	b = strconv.AppendFloat(b, high, 'f', 4, 64)
	b = append(b, `, "low": `...)
	b = strconv.AppendFloat(b, low, 'f', 4, 64)
	b = append(b, `, "close": `...)
	b = strconv.AppendFloat(b, close, 'f', 4, 64)
	b = append(b, `, "volume": `...)
	b = strconv.AppendInt(b, volume, 10)
	return append(b, "}\n"...)
}

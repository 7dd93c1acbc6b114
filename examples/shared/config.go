package shared

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Config says which dataset to generate.
type Config struct {
	N    int    // how many float64 values, from 1 to MaxN
	Seed uint64 // seeds the generator
}

// MaxN bounds Config.N to 2 GB of data, so that sizes from a command line
// stay demo-sized.
const MaxN = 250_000_000

// ErrInvalidConfig wraps every error returned by Config.Validate and
// ConfigFor.
var ErrInvalidConfig = errors.New("shared: invalid config")

// ConfigFor returns the Config of a named size, with seed 1: "small"
// (1,000,000 values, 8 MB), "default" (50,000,000 values, 400 MB) or
// "large" (100,000,000 values, 800 MB). Any other name returns an error
// wrapping ErrInvalidConfig.
func ConfigFor(size string) (Config, error) {
	switch size {
	case "small":
		return Config{N: 1_000_000, Seed: 1}, nil
	case "default":
		return Config{N: 50_000_000, Seed: 1}, nil
	case "large":
		return Config{N: 100_000_000, Seed: 1}, nil
	}
	return Config{}, fmt.Errorf("%w: unknown size %q: want small, default or large", ErrInvalidConfig, size)
}

// Validate reports whether Generate accepts c.
func (c Config) Validate() error {
	if c.N < 1 || c.N > MaxN {
		return fmt.Errorf("%w: %d values: want 1 to %d", ErrInvalidConfig, c.N, MaxN)
	}
	return nil
}

// Bytes returns the size of c's dataset in bytes: 8 × N.
func (c Config) Bytes() int64 { return 8 * int64(c.N) }

// The generated series: x[i] = drift + phi·(x[i-1] - drift) + sigma·e[i],
// e[i] standard normal, from x[-1] = drift. Its mean is about drift, its
// standard deviation sigma/sqrt(1-phi²), its lag-1 autocorrelation phi.
const (
	drift = 0.0004
	phi   = 0.1
	sigma = 0.01
)

// Generate allocates and fills c's dataset: one slice of c.N values, the
// only allocation of that size. Equal Configs generate equal data. If ctx
// is done first it returns ctx's error within a fraction of a millisecond;
// an invalid c returns an error wrapping ErrInvalidConfig.
func Generate(ctx context.Context, c Config) ([]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(c.Seed, 0x5eed_0004))
	d := make([]float64, c.N)
	prev := drift
	for lo := 0; lo < len(d); lo += block {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := lo; i < min(lo+block, len(d)); i++ {
			prev = drift + phi*(prev-drift) + sigma*r.NormFloat64()
			d[i] = prev
		}
	}
	return d, nil
}

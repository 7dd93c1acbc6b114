package powers

import (
	"errors"
	"fmt"
	"slices"
)

// Config says which values to generate and which powers to average.
type Config struct {
	N      int    // how many values, from 1 to MaxN
	Chunk  int    // values per chunk, from 1 to N; see the package doc
	Seed   uint64 // seeds every chunk's generator
	Powers []int  // the exponents p, each from 0 to MaxPower
}

// Limits on a Config, so that sizes from a command line stay demo-sized.
const (
	MaxN     = 1_000_000_000
	MaxPower = 64
)

// DefaultChunk is the chunk size of ConfigFor's Configs: 65,536 values, a
// fraction of a millisecond of work, so that 10 million values make 153
// chunks that spread evenly over the workers.
const DefaultChunk = 1 << 16

// SeedPowers are the seed question's exponents.
var SeedPowers = []int{1, 2, 12, 15}

// ErrInvalidConfig wraps every error returned by Config.Validate and
// ConfigFor.
var ErrInvalidConfig = errors.New("powers: invalid config")

// ConfigFor returns the Config of a named size, for SeedPowers with
// DefaultChunk and seed 1: "small" (1,000,000 values), "default"
// (10,000,000) or "large" (100,000,000, the seed's size). Any other name
// returns an error wrapping ErrInvalidConfig.
func ConfigFor(size string) (Config, error) {
	var n int
	switch size {
	case "small":
		n = 1_000_000
	case "default":
		n = 10_000_000
	case "large":
		n = 100_000_000
	default:
		return Config{}, fmt.Errorf("%w: unknown size %q: want small, default or large", ErrInvalidConfig, size)
	}
	return Config{N: n, Chunk: DefaultChunk, Seed: 1, Powers: slices.Clone(SeedPowers)}, nil
}

// Validate reports whether Run and Sequential accept c.
func (c Config) Validate() error {
	switch {
	case c.N < 1 || c.N > MaxN:
		return fmt.Errorf("%w: %d values: want 1 to %d", ErrInvalidConfig, c.N, MaxN)
	case c.Chunk < 1 || c.Chunk > c.N:
		return fmt.Errorf("%w: chunks of %d values: want 1 to N = %d", ErrInvalidConfig, c.Chunk, c.N)
	case len(c.Powers) == 0:
		return fmt.Errorf("%w: no powers", ErrInvalidConfig)
	}
	for _, p := range c.Powers {
		if p < 0 || p > MaxPower {
			return fmt.Errorf("%w: power %d: want 0 to %d", ErrInvalidConfig, p, MaxPower)
		}
	}
	return nil
}

// chunks returns how many chunks c's values make.
func (c Config) chunks() int { return (c.N + c.Chunk - 1) / c.Chunk }

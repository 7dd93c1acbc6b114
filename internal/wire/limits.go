package wire

import (
	"fmt"
	"math"
)

// Defaults for the fields of [Limits], as documented there.
const (
	defaultMaxBytes         = 64 << 20 // 64 MiB
	defaultMaxDepth         = 32
	defaultMaxArrayElements = 16 << 20 // 16M
	defaultMaxMapPairs      = 1 << 20  // 1M
)

// Ranges accepted by the CBOR decoder, checked by [New].
const (
	minDepth    = 4
	maxDepth    = 65535
	minElements = 16
	maxElements = math.MaxInt32
)

// Limits bound what Unmarshal accepts, so a hostile or corrupt message fails
// one task, never a worker. A zero field takes its default; [New] rejects
// negative values, a MaxDepth outside 4..65535 and element or pair limits
// outside 16..2^31-1, the ranges the CBOR decoder supports.
//
// Memory for one Unmarshal is bounded by MaxBytes times the size of the
// largest Go element type being filled: a CBOR array header is trusted only
// as far as the message has at least one byte left per element it claims.
type Limits struct {
	MaxBytes         int // whole message; default 64 MiB
	MaxDepth         int // nesting of arrays/maps/tags; default 32
	MaxArrayElements int // default 16M
	MaxMapPairs      int // default 1M
}

// DefaultLimits returns the limits a zero [Limits] stands for.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:         defaultMaxBytes,
		MaxDepth:         defaultMaxDepth,
		MaxArrayElements: defaultMaxArrayElements,
		MaxMapPairs:      defaultMaxMapPairs,
	}
}

// withDefaults returns l with zero fields set to their defaults, or an error
// naming the first field out of range.
func (l Limits) withDefaults() (Limits, error) {
	d := DefaultLimits()
	fields := []struct {
		name     string
		v        *int
		def      int
		min, max int
	}{
		{"MaxBytes", &l.MaxBytes, d.MaxBytes, 1, math.MaxInt},
		{"MaxDepth", &l.MaxDepth, d.MaxDepth, minDepth, maxDepth},
		{"MaxArrayElements", &l.MaxArrayElements, d.MaxArrayElements, minElements, maxElements},
		{"MaxMapPairs", &l.MaxMapPairs, d.MaxMapPairs, minElements, maxElements},
	}
	for _, f := range fields {
		if *f.v == 0 {
			*f.v = f.def
		}
		if *f.v < f.min || *f.v > f.max {
			return Limits{}, fmt.Errorf("wire: Limits.%s is %d, want 0 (the default) or %d..%d", f.name, *f.v, f.min, f.max)
		}
	}
	return l, nil
}

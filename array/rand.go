package array

import "math"

// Random values are counter-based: the value at flat index i (row-major,
// over the whole array) of an array made with seed s is a function of
// (s, i) alone, so it does not depend on the chunking, on which task
// computes it, or on the executor. The uniform bits are splitmix64's
// output function applied to s's key plus i times the golden-ratio
// increment: the stream SplitMix64 would produce from that key, read at
// position i. Normals use a 256-layer ziggurat on those bits; the rare
// draws outside the fast path (about 1.5%) re-hash (s, i) with a round
// counter until they are accepted.

const (
	golden       = 0x9e3779b97f4a7c15
	uniformRound = 1<<64 - 1
)

// mix is splitmix64's output function.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// streamKey returns the key of seed's stream for the given round: 0 for
// the first draw of every normal, 1 and up for the draws the ziggurat
// rejects, uniformRound for uniform values (so that RandomUniform and
// RandomNormal with the same seed are independent).
func streamKey(seed uint64, round uint64) uint64 {
	return mix(seed ^ mix(round+0x632be59bd9b4e019))
}

// bits returns the 64 uniform bits of element i in the stream of key.
func bits(key, i uint64) uint64 { return mix(key + i*golden) }

// unit maps 64 bits to a uniform float64 in [0, 1).
func unit(h uint64) float64 { return float64(h>>11) * 0x1p-53 }

// unitOpen maps 64 bits to a uniform float64 in (0, 1].
func unitOpen(h uint64) float64 { return float64(h>>11+1) * 0x1p-53 }

// Ziggurat tables for the standard normal (Marsaglia and Tsang, 256
// layers), scaled for a signed 56-bit draw: the low 8 bits of a draw pick
// the layer, the high 56 the point.
const (
	zigN     = 256
	zigR     = 3.6541528853610088
	zigV     = 4.92867323399e-3
	zigScale = 1 << 55
	slowKeys = 16 // round keys kept for the slow path
)

var (
	zigK [zigN]int64
	zigW [zigN]float64
	zigF [zigN]float64
)

func init() {
	dn, tn := zigR, zigR
	q := zigV / math.Exp(-0.5*dn*dn)
	zigK[0] = int64((dn / q) * zigScale)
	zigK[1] = 0
	zigW[0] = q / zigScale
	zigW[zigN-1] = dn / zigScale
	zigF[0] = 1
	zigF[zigN-1] = math.Exp(-0.5 * dn * dn)
	for i := zigN - 2; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(zigV/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = int64((dn / tn) * zigScale)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / zigScale
	}
}

// fillNormal sets v[k] to mean + std × the standard normal of element
// i+k of seed's stream, whose first-round key is key0: normal, with the
// fast path inline.
func fillNormal(v []float64, seed, key0, i uint64, mean, std float64) {
	z := key0 + i*golden
	for k := range v {
		h := mix(z)
		z += golden
		layer := h & (zigN - 1)
		j := int64(h) >> 8
		x := float64(j) * zigW[layer]
		if abs64(j) >= zigK[layer] {
			x = normalSlow(seed, i+uint64(k), h)
		}
		v[k] = mean + std*x
	}
}

// normalSlow finishes a draw the fast path rejected, with fresh bits from
// later rounds of (seed, i).
func normalSlow(seed, i, h uint64) float64 {
	for round := uint64(1); ; round += 3 {
		layer := h & (zigN - 1)
		j := int64(h) >> 8
		x := float64(j) * zigW[layer]
		if abs64(j) < zigK[layer] {
			return x
		}
		if layer == 0 { // the tail, beyond zigR
			for r := round; ; r += 2 {
				x = -math.Log(unitOpen(bits(streamKey(seed, r), i))) / zigR
				y := -math.Log(unitOpen(bits(streamKey(seed, r+1), i)))
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		u := unit(bits(streamKey(seed, round), i))
		if zigF[layer]+u*(zigF[layer-1]-zigF[layer]) < math.Exp(-0.5*x*x) {
			return x
		}
		h = bits(streamKey(seed, round+1), i)
	}
}

func abs64(j int64) int64 {
	m := j >> 63
	return (j ^ m) - m
}

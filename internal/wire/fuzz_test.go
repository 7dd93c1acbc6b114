package wire_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/shoal-go/shoal/internal/wire"
)

// FuzzUnmarshal decodes arbitrary bytes into several destinations: it must
// not panic, and every error must wrap ErrMalformed or ErrTooLarge. A
// message that decodes into an interface value re-encodes to bytes that
// decode again, and reaches a stable canonical form.
//
// The exceptions are a time outside years 0..9999, which a numeric tag 1
// can carry but RFC 3339 text cannot, and maps with keys that differ in Go
// but encode alike: both encode but do not decode.
func FuzzUnmarshal(f *testing.F) {
	seed := newCodec(f, wire.Limits{})
	for _, v := range []any{
		0, -1, uint64(math.MaxUint64), 1.5, math.NaN(), math.Inf(-1), math.Copysign(0, -1),
		"s", "\xff", []byte("b"), []int{1, 2}, [][]string{{"a"}, nil},
		map[string]any{"k": []any{1, "v", nil, true}}, map[int]string{1: "a"},
		map[[2]byte]int{{1, 2}: 3},
		outer{ID: 1, Inner: inner{Name: "n", Tags: []string{"t"}}, PInner: &inner{}, Items: []inner{{}},
			ByName: map[string]inner{"x": {}}, Bytes: []byte{1}, When: time.Unix(1e9, 5).UTC(), Any: 2.5},
		withRefs{Name: "w", R: ref[int]{id: "r"}, P: &ref[int]{}, S: []ref[string]{{id: "s"}}, M: map[string]ref[float64]{"m": {}}},
		ref[int]{id: "top"}, time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)),
		[]float64{1.5, math.NaN(), math.Copysign(0, -1)}, []float32{2}, []float64{},
		[][]float64{{1}, nil, {}}, [][]float32{{2, 3}},
	} {
		b, err := seed.Marshal(v)
		if err != nil {
			f.Fatalf("Marshal(%#v): %v", v, err)
		}
		f.Add(b)
	}
	f.Add(nest(40))
	f.Add([]byte{0x9b, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00})
	f.Add([]byte{0x9f, 0x01, 0xff})
	f.Add([]byte{0xc1, 0xfb, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})

	c := newCodec(f, wire.Limits{MaxBytes: 1 << 16, MaxArrayElements: 1 << 12, MaxMapPairs: 1 << 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dst := range destinations() {
			checkUnmarshalErr(t, data, c.Unmarshal(data, dst))
		}

		// Encoder and decoder agree: what Marshal makes of a decoded value,
		// Unmarshal takes back. Two rounds reach a canonical form that a
		// third keeps byte for byte (the first may normalise, e.g. drop a
		// tag on a map key that decodes into map[string]any).
		var v any
		if c.Unmarshal(data, &v) != nil || hasUnwritableTime(v) {
			return
		}
		enc, err := c.Marshal(v)
		if err != nil {
			return // e.g. beyond MaxBytes once canonical
		}
		var rounds [][]byte
		for range 3 {
			rounds = append(rounds, enc)
			var w any
			if err := c.Unmarshal(enc, &w); err != nil {
				if strings.Contains(err.Error(), "duplicate map key") {
					return // keys distinct in Go but alike on the wire: NaN, *big.Int, time.Time in two locations
				}
				t.Fatalf("Unmarshal(%x) = %v; it is Marshal of %#v, from %x", enc, err, v, data)
			}
			if enc, err = c.Marshal(w); err != nil {
				t.Fatalf("Marshal(%#v) = %v; it decoded from %x", w, err, rounds[len(rounds)-1])
			}
			v = w
		}
		rounds = append(rounds, enc)
		if !bytes.Equal(rounds[2], rounds[3]) {
			t.Fatalf("encoding not stable:\n %x\n %x\n %x\n %x\nfrom %x", rounds[0], rounds[1], rounds[2], rounds[3], data)
		}
	})
}

// hasUnwritableTime reports whether v, decoded into an interface value,
// holds a time.Time whose year RFC 3339 cannot write.
func hasUnwritableTime(v any) bool {
	switch v := v.(type) {
	case time.Time:
		return v.Year() < 0 || v.Year() > 9999
	case cbor.Tag:
		return hasUnwritableTime(v.Content)
	case []any:
		for _, e := range v {
			if hasUnwritableTime(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if hasUnwritableTime(e) {
				return true
			}
		}
	case map[any]any:
		for k, e := range v {
			if hasUnwritableTime(k) || hasUnwritableTime(e) {
				return true
			}
		}
	}
	return false
}

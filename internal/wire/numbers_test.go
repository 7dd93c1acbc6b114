package wire_test

import (
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"testing"
	"unsafe"

	"github.com/shoal-go/shoal/internal/wire"
)

func TestFloatSlicesRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	nanPayload := math.Float64frombits(0x7ff8_0000_0000_0123)
	for _, in := range []any{
		[]float64{0, math.Copysign(0, -1), 1.5, -2.25e300, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, nanPayload},
		[]float64{},
		[]float32{0, -1.5, float32(math.Inf(-1)), math.MaxFloat32},
		[]float32{},
		make([]float64, 1000),
	} {
		data, err := c.Marshal(in)
		if err != nil {
			t.Fatalf("Marshal(%T of %d): %v", in, reflect.ValueOf(in).Len(), err)
		}
		out := reflectNew(in)
		if err := c.Unmarshal(data, out); err != nil {
			t.Fatalf("Unmarshal(%T of %d): %v", in, reflect.ValueOf(in).Len(), err)
		}
		got := reflect.ValueOf(out).Elem().Interface()
		// Compare bits: NaN payloads and the sign of zero survive.
		if !sameBits(got, in) {
			t.Errorf("round trip of %T: got %v, want %v", in, got, in)
		}
		if got := reflect.ValueOf(got); got.IsNil() {
			t.Errorf("round trip of an empty %T gave nil", in)
		}
	}
	// A nil slice is null, as every nil slice.
	data, err := c.Marshal([]float64(nil))
	if err != nil || hex.EncodeToString(data) != "f6" {
		t.Fatalf("Marshal(nil []float64) = %x, %v; want f6", data, err)
	}
	out := []float64{1}
	if err := c.Unmarshal(data, &out); err != nil || out != nil {
		t.Fatalf("Unmarshal(null) = %v, %v; want nil", out, err)
	}
}

func sameBits(a, b any) bool {
	switch a := a.(type) {
	case []float64:
		b := b.([]float64)
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return true
	case []float32:
		b := b.([]float32)
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func TestFloatSliceShape(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	for _, tt := range []struct {
		in   any
		want string
	}{
		{[]float64{1.5}, "d856" + "48" + "000000000000f83f"},
		{[]float32{1.5}, "d855" + "44" + "0000c03f"},
		{[]float64{}, "d856" + "40"},
		// A matrix is an array of typed arrays; inside other values,
		// floats stay CBOR items.
		{[][]float64{{1.5}}, "81" + "d856" + "48" + "000000000000f83f"},
		{[][][]float64{{{1.5}}}, "81" + "81" + "81" + "f93e00"},
		{map[string][]float64{"a": {1.5}}, "a1" + "6161" + "81" + "f93e00"},
		{struct{ F []float64 }{[]float64{1.5}}, "a1" + "6146" + "81" + "f93e00"},
	} {
		data, err := c.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(data); got != tt.want {
			t.Errorf("Marshal(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Decoding a typed array into an interface gives what a CBOR array of the
// same floats gives; into a slice of the other float type, or of anything
// else, it fails.
func TestFloatSliceInto(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	data, err := c.Marshal([]float64{1.5, -2})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := c.Unmarshal(data, &v); err != nil || !reflect.DeepEqual(v, []any{1.5, -2.0}) {
		t.Fatalf("Unmarshal into any = %#v, %v; want []any{1.5, -2}", v, err)
	}
	for _, dst := range []any{new([]float32), new([]int), new(string), new(struct{ F []float64 })} {
		if err := c.Unmarshal(data, dst); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("Unmarshal into %T = %v, want ErrMalformed", dst, err)
		}
	}
	// A plain CBOR array of floats still decodes into a []float64.
	var f []float64
	if err := c.Unmarshal([]byte{0x82, 0xf9, 0x3e, 0x00, 0xf9, 0xc0, 0x00}, &f); err != nil || !reflect.DeepEqual(f, []float64{1.5, -2}) {
		t.Fatalf("Unmarshal of a CBOR array = %v, %v; want [1.5 -2]", f, err)
	}
}

func TestFloatSliceMalformed(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	for _, tt := range []struct{ name, hex string }{
		{"length beyond the message", "d856" + "48" + "0000"},
		{"trailing bytes", "d856" + "41" + "0000"},
		{"not whole elements", "d856" + "43" + "000000"},
		{"float32 not whole", "d855" + "46" + "000000000000"},
		{"an array inside", "d856" + "81" + "00"},
		{"indefinite length", "d856" + "5f" + "ff"},
		{"truncated length", "d856" + "5b" + "0000"},
		{"huge length", "d856" + "5b" + "7fffffffffffffff" + "00"},
	} {
		data, err := hex.DecodeString(tt.hex)
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range []any{new([]float64), new([]float32), new(any)} {
			err := c.Unmarshal(data, dst)
			if !errors.Is(err, wire.ErrMalformed) {
				t.Errorf("%s: Unmarshal(%s) into %T = %v, want ErrMalformed", tt.name, tt.hex, dst, err)
			}
		}
	}
}

// The limits hold for typed arrays as for CBOR arrays, on both sides.
func TestFloatSliceLimits(t *testing.T) {
	t.Parallel()
	small := newCodec(t, wire.Limits{MaxBytes: 1 << 10, MaxArrayElements: 16})
	big := newCodec(t, wire.Limits{})
	for _, tt := range []struct {
		name    string
		in      []float64
		wantErr bool
	}{
		{"16 elements", make([]float64, 16), false},
		{"17 elements", make([]float64, 17), true},
	} {
		data, err := big.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		if err := small.Unmarshal(data, &out); (err != nil) != tt.wantErr || err != nil && !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("%s: Unmarshal = %v, want error: %v (ErrMalformed)", tt.name, err, tt.wantErr)
		}
		if _, err := small.Marshal(tt.in); (err != nil) != tt.wantErr || err != nil && !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: Marshal = %v, want error: %v (ErrTooLarge)", tt.name, err, tt.wantErr)
		}
	}
	bytesLimit := newCodec(t, wire.Limits{MaxBytes: 64})
	if _, err := bytesLimit.Marshal(make([]float64, 8)); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Marshal of 75 bytes with MaxBytes 64 = %v, want ErrTooLarge", err)
	}
	data, _ := big.Marshal(make([]float64, 8))
	var out []float64
	if err := bytesLimit.Unmarshal(data, &out); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Unmarshal of 75 bytes with MaxBytes 64 = %v, want ErrTooLarge", err)
	}
}

// A typed array whose elements are aligned in the message decodes in
// place; one that is not decodes into a copy. Both give the same values.
func TestFloatSliceInPlace(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	in := make([]float64, 1000)
	for i := range in {
		in[i] = float64(i) / 3
	}
	data, err := c.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	off, align := wire.PayloadOffset(data)
	if align != 8 || off != len(data)-8*len(in) {
		t.Fatalf("PayloadOffset = %d, %d; want %d, 8", off, align, len(data)-8*len(in))
	}
	for shift := range 8 {
		buf := make([]byte, len(data)+8)
		msg := buf[shift : shift+len(data)]
		copy(msg, data)
		var out []float64
		if err := c.Unmarshal(msg, &out); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("shift %d: values differ", shift)
		}
		aligned := uintptr(unsafe.Pointer(&msg[off]))%8 == 0
		shared := unsafe.Pointer(&out[0]) == unsafe.Pointer(&msg[off])
		if shared != aligned {
			t.Errorf("shift %d: decoded in place %v, elements aligned %v", shift, shared, aligned)
		}
	}
	for _, tt := range []struct {
		prefix     string
		off, align int
	}{
		{"d855" + "44", 3, 4},
		{"d856" + "5818", 4, 8},
		{"d856" + "590100", 5, 8},
		{"d856" + "5a00010000", 7, 8},
		{"d856" + "5b0000000100000000", 11, 8},
		{"d857" + "44", 0, 1},
		{"82" + "0102", 0, 1},
		{"d856" + "81", 0, 1},
		{"", 0, 1},
	} {
		p, _ := hex.DecodeString(tt.prefix)
		if off, align := wire.PayloadOffset(p); off != tt.off || align != tt.align {
			t.Errorf("PayloadOffset(%s) = %d, %d; want %d, %d", tt.prefix, off, align, tt.off, tt.align)
		}
	}
}

func TestFloatMatrix(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	m64 := [][]float64{nil, {}, {1.5, math.Inf(-1)}, make([]float64, 100), nil}
	m32 := [][]float32{{2.5}, nil}
	for _, in := range []any{m64, m32, [][]float64{{1}}, [][]float64{nil, {3}}} {
		data, err := c.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		out := reflectNew(in)
		if err := c.Unmarshal(data, out); err != nil {
			t.Fatalf("Unmarshal(%T): %v", in, err)
		}
		if got := reflect.ValueOf(out).Elem().Interface(); !reflect.DeepEqual(got, in) {
			t.Errorf("round trip of %T: got %#v, want %#v", in, got, in)
		}
	}
	// Shape: an array of typed arrays, null for a nil row.
	data, err := c.Marshal([][]float64{{1.5}, nil, {}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(data), "83"+"d856"+"48"+"000000000000f83f"+"f6"+"d856"+"40"; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var v any
	if err := c.Unmarshal(data, &v); err != nil || !reflect.DeepEqual(v, []any{[]any{1.5}, nil, []any{}}) {
		t.Errorf("Unmarshal into any = %#v, %v", v, err)
	}
	// Arrays that are not of typed arrays take the general path.
	for _, in := range []any{[][]float64{}, [][]float64{nil, nil}, []int{1, 2}} {
		data, err := c.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		out := reflectNew(in)
		if err := c.Unmarshal(data, out); err != nil || !reflect.DeepEqual(reflect.ValueOf(out).Elem().Interface(), in) {
			t.Errorf("round trip of %#v: %v", in, err)
		}
	}
	for _, tt := range []struct{ name, hex string }{
		{"second row a CBOR array", "82" + "d856" + "40" + "80"},
		{"tags differ", "82" + "d856" + "40" + "d855" + "40"},
		{"trailing bytes", "81" + "d856" + "40" + "00"},
		{"missing rows", "83" + "d856" + "40"},
		{"row truncated", "81" + "d856" + "48" + "0000"},
		{"row not whole", "81" + "d856" + "43" + "000000"},
		{"many rows claimed", "9b" + "00000001" + "00000000" + "d856" + "40"},
	} {
		data, _ := hex.DecodeString(tt.hex)
		for _, dst := range []any{new([][]float64), new(any)} {
			if err := c.Unmarshal(data, dst); !errors.Is(err, wire.ErrMalformed) {
				t.Errorf("%s: Unmarshal into %T = %v, want ErrMalformed", tt.name, dst, err)
			}
		}
	}
	if err := c.Unmarshal(data, new([][]float32)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("float64 rows into [][]float32 = %v, want ErrMalformed", err)
	}
	small := newCodec(t, wire.Limits{MaxArrayElements: 16})
	long := [][]float64{make([]float64, 17)}
	if _, err := small.Marshal(long); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Marshal of a row of 17 with a limit of 16 = %v, want ErrTooLarge", err)
	}
	data, _ = c.Marshal(long)
	if err := small.Unmarshal(data, new([][]float64)); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("Unmarshal of a row of 17 with a limit of 16 = %v, want ErrMalformed", err)
	}
}

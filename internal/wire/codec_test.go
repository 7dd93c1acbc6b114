package wire_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/shoal-go/shoal/internal/remote"
	"github.com/shoal-go/shoal/internal/wire"
)

var _ remote.Codec = (*wire.Codec)(nil)

// ref mimics shoal.Ref: a generic struct with only unexported fields that
// travels through MarshalBinary (value receiver) and UnmarshalBinary
// (pointer receiver).
type ref[T any] struct{ id string }

func (r ref[T]) MarshalBinary() ([]byte, error) { return []byte("ref:" + r.id), nil }

func (r *ref[T]) UnmarshalBinary(b []byte) error {
	id, ok := strings.CutPrefix(string(b), "ref:")
	if !ok {
		return errors.New("ref: bad encoding")
	}
	r.id = id
	return nil
}

type inner struct {
	Name  string
	Score float64
	Tags  []string
}

type outer struct {
	ID      int64
	Inner   inner
	PInner  *inner
	NilPtr  *inner
	Items   []inner
	ByName  map[string]inner
	Bytes   []byte
	Array   [4]byte
	When    time.Time
	Any     any
	private int // not encoded
}

type withRefs struct {
	Name string
	R    ref[int]
	P    *ref[int]
	Nil  *ref[int]
	S    []ref[string]
	M    map[string]ref[float64]
}

func newCodec(t testing.TB, l wire.Limits) *wire.Codec {
	t.Helper()
	c, err := wire.New(l)
	if err != nil {
		t.Fatalf("New(%+v): %v", l, err)
	}
	return c
}

// roundTrip encodes in and decodes it into a new value of in's type.
func roundTrip(t *testing.T, c *wire.Codec, in any) any {
	t.Helper()
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", in, err)
	}
	p := reflect.New(reflect.TypeOf(in))
	if err := c.Unmarshal(b, p.Interface()); err != nil {
		t.Fatalf("Unmarshal(%x) into %T: %v", b, p.Interface(), err)
	}
	return p.Elem().Interface()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	s := "pointed to"
	ps := &s
	n := 7
	tests := []struct {
		name string
		in   any
		want any // nil: want in
	}{
		{"int zero", 0, nil},
		{"int", -123456, nil},
		{"int8 min", int8(math.MinInt8), nil},
		{"int16 max", int16(math.MaxInt16), nil},
		{"int32 min", int32(math.MinInt32), nil},
		{"int64 min", int64(math.MinInt64), nil},
		{"int64 max", int64(math.MaxInt64), nil},
		{"uint8 max", uint8(math.MaxUint8), nil},
		{"uint64 max", uint64(math.MaxUint64), nil},
		{"bool", true, nil},
		{"string empty", "", nil},
		{"string", "héllo, 世界", nil},
		{"string invalid utf8", "\xff\xfe\x00a", nil},
		{"bytes nil", []byte(nil), nil},
		{"bytes empty", []byte{}, nil},
		{"bytes", []byte{0, 1, 2, 0xff}, nil},
		{"byte array", [3]byte{9, 8, 7}, nil},
		{"slice nil", []int(nil), nil},
		{"slice empty", []string{}, nil},
		{"slice", []int{1, -2, 3}, nil},
		{"nested slices", [][]float64{{1.5}, nil, {}}, nil},
		{"array", [3]string{"a", "", "c"}, nil},
		{"map nil", map[string]int(nil), nil},
		{"map empty", map[string]int{}, nil},
		{"map string keys", map[string]int{"a": 1, "b": 2}, nil},
		{"map int keys", map[int]string{3: "c", -1: "z"}, nil},
		{"map array keys", map[[2]int]bool{{1, 2}: true}, nil},
		{"map byte-array keys", map[[4]byte]int{{1, 2, 3, 4}: 5}, nil},
		{"nested maps", map[string]map[string][]int{"x": {"y": {1}}}, nil},
		{"pointer", &n, nil},
		{"pointer to pointer", &ps, nil},
		{"nil pointer", (*int)(nil), nil},
		{"big int", new(big.Int).Lsh(big.NewInt(1), 100), nil},
		{"big int small", big.NewInt(-42), nil},
		{
			"struct with unexported field",
			outer{
				ID:      1,
				Inner:   inner{Name: "in", Score: 0.25, Tags: []string{"t"}},
				PInner:  &inner{Name: "p"},
				Items:   []inner{{Name: "a"}, {Name: "b", Score: -1}},
				ByName:  map[string]inner{"k": {Name: "v"}},
				Bytes:   []byte("raw"),
				Array:   [4]byte{1, 2, 3, 4},
				Any:     "any string",
				private: 99,
			},
			outer{
				ID:     1,
				Inner:  inner{Name: "in", Score: 0.25, Tags: []string{"t"}},
				PInner: &inner{Name: "p"},
				Items:  []inner{{Name: "a"}, {Name: "b", Score: -1}},
				ByName: map[string]inner{"k": {Name: "v"}},
				Bytes:  []byte("raw"),
				Array:  [4]byte{1, 2, 3, 4},
				Any:    "any string",
			},
		},
		{"ref top-level", ref[int]{id: "r1"}, nil},
		{"ref pointer top-level", &ref[int]{id: "r2"}, nil},
		{"ref empty", ref[int]{}, nil},
		{"ref slice", []ref[string]{{id: "a"}, {id: ""}, {id: "c"}}, nil},
		{"ref map", map[string]ref[int]{"x": {id: "y"}}, nil},
		{
			"refs in struct",
			withRefs{
				Name: "n",
				R:    ref[int]{id: "field"},
				P:    &ref[int]{id: "ptr"},
				S:    []ref[string]{{id: "s0"}, {id: "s1"}},
				M:    map[string]ref[float64]{"m": {id: "mv"}},
			},
			nil,
		},
		{"refs in slice of structs", []withRefs{{R: ref[int]{id: "a"}}, {R: ref[int]{id: "b"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == nil {
				want = tt.in
			}
			if got := roundTrip(t, c, tt.in); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip of %#v:\n got %#v\nwant %#v", tt.in, got, want)
			}
		})
	}
}

func TestRoundTripFloats(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	negZero := math.Copysign(0, -1)
	for _, f := range []float64{
		0, negZero, 1, -1.5, 0.1, math.Pi, 65504, 1e300, -1e-300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32,
		math.Inf(1), math.Inf(-1), math.NaN(),
	} {
		got := roundTrip(t, c, f).(float64)
		if !sameFloat(got, f) {
			t.Errorf("float64 %v (bits %#x): got %v (bits %#x)", f, math.Float64bits(f), got, math.Float64bits(got))
		}
		if f32 := float32(f); !math.IsInf(f, 0) || math.IsInf(float64(f32), 0) {
			got := roundTrip(t, c, f32).(float32)
			if !sameFloat(float64(got), float64(f32)) {
				t.Errorf("float32 %v: got %v", f32, got)
			}
		}
	}
	// Inside structures and interfaces too.
	in := map[string]float64{"nan": math.NaN(), "-0": negZero, "inf": math.Inf(-1)}
	got := roundTrip(t, c, in).(map[string]float64)
	for k, want := range in {
		if !sameFloat(got[k], want) {
			t.Errorf("map[%q]: got %v, want %v", k, got[k], want)
		}
	}
}

// sameFloat is == that tells -0 from 0 and holds for NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

func TestRoundTripTime(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		name string
		in   time.Time
	}{
		{"zero", time.Time{}},
		{"utc nanoseconds", time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC)},
		{"offset", time.Date(1999, 12, 31, 12, 0, 0, 1, time.FixedZone("X", -(5*3600+30*60)))},
		{"now with monotonic clock", time.Now()},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
	for _, tt := range tests {
		got := roundTrip(t, c, tt.in).(time.Time)
		if !got.Equal(tt.in) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.in)
		}
		_, gotOff := got.Zone()
		_, wantOff := tt.in.Zone()
		if gotOff != wantOff {
			t.Errorf("%s: got offset %d, want %d", tt.name, gotOff, wantOff)
		}
	}
	// Like time.Time.MarshalText, the wire has no form for years outside
	// 0..9999: such times encode, but their decoding fails.
	for _, year := range []int{-1, 10000} {
		b, err := c.Marshal(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("Marshal(year %d): %v", year, err)
		}
		var got time.Time
		if err := c.Unmarshal(b, &got); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("Unmarshal(year %d) = %v, want ErrMalformed", year, err)
		}
	}

	// In a struct, a pointer and an interface.
	when := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	type event struct {
		At  time.Time
		PAt *time.Time
		Any any
	}
	got := roundTrip(t, c, event{At: when, PAt: &when, Any: when}).(event)
	if !got.At.Equal(when) || got.PAt == nil || !got.PAt.Equal(when) {
		t.Errorf("event: got %+v, want times %v", got, when)
	}
	if a, ok := got.Any.(time.Time); !ok || !a.Equal(when) {
		t.Errorf("event.Any: got %#v, want time.Time %v", got.Any, when)
	}
}

func TestEncodingShapes(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		name string
		in   any
		want string // hex
	}{
		{"small int", 10, "0a"},
		{"negative int", -1, "20"},
		{"float shrinks to half", 1.5, "f93e00"},
		{"negative zero", math.Copysign(0, -1), "f98000"},
		{"NaN canonical", math.NaN(), "f97e00"},
		{"inf", math.Inf(1), "f97c00"},
		{"bytes are a byte string", []byte{1, 2}, "420102"},
		{"byte array is a byte string", [2]byte{1, 2}, "420102"},
		{"nil slice is null", []int(nil), "f6"},
		{"ref is a byte string", ref[int]{id: "x"}, "45" + hex.EncodeToString([]byte("ref:x"))},
		{"time is tag 0 text", time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC), "c0" + "78" + "1e" + hex.EncodeToString([]byte("2020-01-02T03:04:05.000000006Z"))},
		{"zero time is null", time.Time{}, "f6"},
		{"map keys sorted shortest first", map[string]int{"bb": 2, "a": 1, "c": 3}, "a3" + "616101" + "616303" + "62626202"},
		{"struct fields sorted", struct{ B, A int }{1, 2}, "a2" + "614102" + "614201"},
	}
	for _, tt := range tests {
		b, err := c.Marshal(tt.in)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tt.name, err)
			continue
		}
		if got := hex.EncodeToString(b); got != tt.want {
			t.Errorf("%s: Marshal(%#v) = %s, want %s", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	m1 := map[string]any{}
	m2 := map[string]any{}
	for i := range 200 {
		k := string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune('0'+i%10))
		m1[k] = i
	}
	// Same contents, different insertion order (and so different layout).
	keys := reflect.ValueOf(m1).MapKeys()
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i].String()
		m2[k] = m1[k]
	}
	want, err := c.Marshal(m1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		got, err := c.Marshal(m2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Marshal #%d of an equal map differs:\n got %x\nwant %x", i, got, want)
		}
	}
	intKeys := map[int]string{}
	for i := range 100 {
		intKeys[i*7919%1000-500] = "v"
	}
	first, err := c.Marshal(intKeys)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if again, _ := c.Marshal(intKeys); !bytes.Equal(again, first) {
			t.Fatal("Marshal of one map[int]string gave different bytes")
		}
	}
}

func TestUnmarshalIntoAny(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"int", 5, int64(5)},
		{"negative int", -5, int64(-5)},
		{"uint beyond int64", uint64(math.MaxUint64), new(big.Int).SetUint64(math.MaxUint64)},
		{"float", 2.5, 2.5},
		{"string", "s", "s"},
		{"bytes", []byte("b"), []byte("b")},
		{"nil", nil, nil},
		{"slice", []int{1, 2}, []any{int64(1), int64(2)}},
		{
			"string-keyed map",
			map[string]any{"a": 1, "b": []string{"x"}, "c": map[string]int{"d": 2}},
			map[string]any{"a": int64(1), "b": []any{"x"}, "c": map[string]any{"d": int64(2)}},
		},
		{
			"struct becomes a map",
			inner{Name: "n", Score: 1, Tags: nil},
			map[string]any{"Name": "n", "Score": float64(1), "Tags": nil},
		},
		{
			"int-keyed map falls back to map[any]any",
			map[string]any{"m": map[int]string{1: "one"}, "s": map[string]int{"k": 1}},
			map[any]any{"m": map[any]any{int64(1): "one"}, "s": map[any]any{"k": int64(1)}},
		},
		{
			"byte-string keys",
			map[[2]byte]int{{1, 2}: 3},
			map[any]any{cbor.ByteString("\x01\x02"): int64(3)},
		},
	}
	for _, tt := range tests {
		b, err := c.Marshal(tt.in)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tt.name, err)
			continue
		}
		var got any
		if err := c.Unmarshal(b, &got); err != nil {
			t.Errorf("%s: Unmarshal: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.name, got, tt.want)
		}
	}

	// The fallback fills a struct's interface field too, and the rest.
	type holder struct {
		N int
		A any
	}
	b, err := c.Marshal(holder{N: 3, A: map[int]int{1: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var h holder
	if err := c.Unmarshal(b, &h); err != nil {
		t.Fatalf("Unmarshal holder: %v", err)
	}
	if want := (holder{N: 3, A: map[any]any{int64(1): int64(2)}}); !reflect.DeepEqual(h, want) {
		t.Errorf("holder: got %#v, want %#v", h, want)
	}
}

func TestTextMarshaler(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	in := struct {
		F *big.Float
		R *big.Rat
	}{big.NewFloat(1.25), big.NewRat(2, 3)}
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := in
	got.F, got.R = nil, nil
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.F.Cmp(in.F) != 0 || got.R.Cmp(in.R) != 0 {
		t.Errorf("got %v %v, want %v %v", got.F, got.R, in.F, in.R)
	}
}

// Keys distinct in Go but alike on the wire stay distinct, as Go has them.
func TestMapKeysAlikeOnTheWire(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	one, two := 1, 1
	nan := roundTrip(t, c, map[float64]int{math.NaN(): 1, math.NaN(): 1}).(map[float64]int)
	ptr := roundTrip(t, c, map[*int]string{&one: "a", &two: "a"}).(map[*int]string)
	if len(nan) != 2 || len(ptr) != 2 {
		t.Errorf("got maps of %d and %d keys, want 2 and 2", len(nan), len(ptr))
	}
}

func TestMarshalUnsupported(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	for _, v := range []any{make(chan int), func() {}, complex(1, 2), uintptr(1)} {
		if _, err := c.Marshal(v); err == nil {
			t.Errorf("Marshal(%T) succeeded, want an error", v)
		} else if errors.Is(err, wire.ErrTooLarge) || errors.Is(err, wire.ErrMalformed) {
			t.Errorf("Marshal(%T) = %v, want a plain error", v, err)
		}
	}
}

type panicky struct{}

func (panicky) MarshalBinary() ([]byte, error) { panic("boom") }
func (*panicky) UnmarshalBinary([]byte) error  { panic("boom") }

func TestPanicsBecomeErrors(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	if _, err := c.Marshal(panicky{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Marshal(panicky) = %v, want an error mentioning the panic", err)
	}
	var p panicky
	if err := c.Unmarshal([]byte{0x41, 0x00}, &p); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("Unmarshal into panicky = %v, want ErrMalformed", err)
	}
}

func TestZeroCodec(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*wire.Codec{"zero": new(wire.Codec), "nil": nil} {
		b, err := c.Marshal([]int{1, 2})
		if err != nil {
			t.Fatalf("%s: Marshal: %v", name, err)
		}
		var got []int
		if err := c.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, []int{1, 2}) {
			t.Errorf("%s: Unmarshal = %v, %v; want [1 2], nil", name, got, err)
		}
		if err := c.Unmarshal(nest(wire.DefaultLimits().MaxDepth+1), new(any)); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("%s: too deep = %v, want ErrMalformed", name, err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 200 {
				in := outer{ID: int64(g*1000 + i), ByName: map[string]inner{"a": {Score: float64(i)}}}
				var b []byte
				if b, err = c.Marshal(in); err != nil {
					break
				}
				var out outer
				if err = c.Unmarshal(b, &out); err != nil {
					break
				}
				if out.ID != in.ID {
					err = errors.New("wrong value")
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// Random inputs decode to a value or to a classified error, never a panic.
func TestRandomBytes(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{MaxBytes: 4096})
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(64))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		for _, dst := range destinations() {
			checkUnmarshalErr(t, b, c.Unmarshal(b, dst))
		}
	}
}

func checkUnmarshalErr(t *testing.T, data []byte, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrTooLarge) {
		t.Fatalf("Unmarshal(%x) = %v, want nil or an error wrapping ErrMalformed or ErrTooLarge", data, err)
	}
}

// destinations are the values the fuzz and random tests decode into.
func destinations() []any {
	return []any{
		new(any), new(outer), new(withRefs), new([]int), new(map[string]any),
		new(map[int]string), new(ref[int]), new(time.Time), new(string),
		new([]byte), new(float64), new(*big.Int), new([4]byte),
		new([]float64), new([]float32), new([][]float64), new([][]float32),
	}
}

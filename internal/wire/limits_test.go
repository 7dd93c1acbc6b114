package wire_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/shoal-go/shoal/internal/wire"
)

// nest returns depth nested one-element arrays around 0: [[...[0]...]].
func nest(depth int) []byte {
	return append(bytes.Repeat([]byte{0x81}, depth), 0x00)
}

// nestValue is the Go value that encodes as nest(depth).
func nestValue(depth int) any {
	var v any = 0
	for range depth {
		v = []any{v}
	}
	return v
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		l       wire.Limits
		wantErr bool
	}{
		{"zero takes defaults", wire.Limits{}, false},
		{"defaults", wire.DefaultLimits(), false},
		{"small", wire.Limits{MaxBytes: 1, MaxDepth: 4, MaxArrayElements: 16, MaxMapPairs: 16}, false},
		{"large", wire.Limits{MaxDepth: 65535, MaxArrayElements: 1<<31 - 1, MaxMapPairs: 1<<31 - 1}, false},
		{"negative bytes", wire.Limits{MaxBytes: -1}, true},
		{"negative depth", wire.Limits{MaxDepth: -1}, true},
		{"negative elements", wire.Limits{MaxArrayElements: -5}, true},
		{"negative pairs", wire.Limits{MaxMapPairs: -5}, true},
		{"depth below decoder minimum", wire.Limits{MaxDepth: 3}, true},
		{"depth above decoder maximum", wire.Limits{MaxDepth: 65536}, true},
		{"elements below decoder minimum", wire.Limits{MaxArrayElements: 15}, true},
		{"pairs below decoder minimum", wire.Limits{MaxMapPairs: 1}, true},
	}
	for _, tt := range tests {
		c, err := wire.New(tt.l)
		if gotErr := err != nil; gotErr != tt.wantErr {
			t.Errorf("%s: New(%+v) error = %v, want error: %v", tt.name, tt.l, err, tt.wantErr)
		}
		if (c == nil) != tt.wantErr {
			t.Errorf("%s: New(%+v) = %v, want nil exactly on error", tt.name, tt.l, c)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	t.Parallel()
	got := wire.DefaultLimits()
	want := wire.Limits{MaxBytes: 64 << 20, MaxDepth: 32, MaxArrayElements: 16 << 20, MaxMapPairs: 1 << 20}
	if got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
}

func TestDepth(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		depth   int
		wantErr bool
	}{
		{1, false},
		{32, false},
		{33, true},
		{1000, true},
	}
	for _, tt := range tests {
		var got any
		err := c.Unmarshal(nest(tt.depth), &got)
		if tt.wantErr != (err != nil) {
			t.Errorf("Unmarshal(depth %d) = %v, want error: %v", tt.depth, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("Unmarshal(depth %d) = %v, want ErrMalformed", tt.depth, err)
		}
		_, err = c.Marshal(nestValue(tt.depth))
		if tt.wantErr != (err != nil) {
			t.Errorf("Marshal(depth %d) = %v, want error: %v", tt.depth, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("Marshal(depth %d) = %v, want ErrTooLarge", tt.depth, err)
		}
	}

	// Structs and maps count like arrays.
	type node struct {
		Next *node
		V    int
	}
	list := &node{}
	for range 40 {
		list = &node{Next: list}
	}
	if _, err := c.Marshal(list); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Marshal(list of 41) = %v, want ErrTooLarge", err)
	}
}

func TestCustomLimits(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{MaxBytes: 64, MaxDepth: 4, MaxArrayElements: 16, MaxMapPairs: 16})
	pairs := func(n int) map[int]int {
		m := map[int]int{}
		for i := range n {
			m[i] = i
		}
		return m
	}
	tests := []struct {
		name    string
		in      any
		wantErr bool
	}{
		{"16 elements", make([]int, 16), false},
		{"17 elements", make([]int, 17), true},
		{"16 pairs", pairs(16), false},
		{"17 pairs", pairs(17), true},
		{"depth 4", [][][][]int{{{{1}}}}, false},
		{"depth 5", [][][][][]int{{{{{1}}}}}, true},
		{"64 bytes", string(make([]byte, 62)), false},
		{"65 bytes", string(make([]byte, 63)), true},
	}
	// Encode with a generous codec, so the receiving side is what fails.
	big := newCodec(t, wire.Limits{})
	for _, tt := range tests {
		b, err := big.Marshal(tt.in)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", tt.name, err)
		}
		dst := reflectNew(tt.in)
		err = c.Unmarshal(b, dst)
		if tt.wantErr != (err != nil) {
			t.Errorf("%s: Unmarshal(%d bytes) = %v, want error: %v", tt.name, len(b), err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: Unmarshal = %v, want ErrMalformed or ErrTooLarge", tt.name, err)
		}
		// The sending side refuses the same values.
		_, err = c.Marshal(tt.in)
		if tt.wantErr != (err != nil) {
			t.Errorf("%s: Marshal = %v, want error: %v", tt.name, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: Marshal = %v, want ErrTooLarge", tt.name, err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{MaxBytes: 100})
	in := bytes.Repeat([]byte{'x'}, 200)
	if _, err := c.Marshal(in); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Marshal(200 bytes) = %v, want ErrTooLarge", err)
	}
	b, err := newCodec(t, wire.Limits{}).Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	err = c.Unmarshal(b, &got)
	if !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Unmarshal(%d bytes) = %v, want ErrTooLarge", len(b), err)
	}
	if errors.Is(err, wire.ErrMalformed) {
		t.Errorf("Unmarshal(%d bytes) = %v, want not ErrMalformed", len(b), err)
	}
	if got != nil {
		t.Errorf("Unmarshal of a too large message decoded %d bytes", len(got))
	}
}

// Length headers are checked against the limits and against the bytes that
// follow before anything is allocated for them.
//
// Not parallel: it measures the heap.
func TestHugeHeadersDoNotAllocate(t *testing.T) {
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		name string
		data []byte
	}{
		{"array of 2^40", []byte{0x9b, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00}},
		{"map of 2^40", []byte{0xbb, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00, 0x00}},
		{"byte string of 2^40", []byte{0x5b, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00}},
		{"array of 2^64-1", []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"array just under the limit, short", []byte{0x9a, 0x00, 0xff, 0xff, 0xff, 0x00}},
		{"map just under the limit, short", []byte{0xba, 0x00, 0x0f, 0xff, 0xff, 0x00, 0x00}},
	}
	for _, tt := range tests {
		for _, dst := range []any{new(any), new([]int64), new([][64]byte), new(map[int]int), new([]byte)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const runs = 20
			for range runs {
				if err := c.Unmarshal(tt.data, dst); !errors.Is(err, wire.ErrMalformed) {
					t.Errorf("%s into %T: Unmarshal = %v, want ErrMalformed", tt.name, dst, err)
				}
			}
			runtime.ReadMemStats(&after)
			if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 16<<10 {
				t.Errorf("%s into %T: allocated %d bytes per Unmarshal, want at most 16 KiB", tt.name, dst, perRun)
			}
		}
	}
}

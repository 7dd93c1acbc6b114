package wire_test

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shoal-go/shoal/internal/wire"
)

func reflectNew(v any) any { return reflect.New(reflect.TypeOf(v)).Interface() }

func TestUnmarshalMalformed(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	tests := []struct {
		name string
		hex  string
		dst  any
	}{
		{"empty", "", new(any)},
		{"truncated int", "19", new(int)},
		{"truncated string", "6361", new(string)},
		{"truncated array", "8201", new([]int)},
		{"trailing bytes", "0000", new(int)},
		{"reserved additional info", "1c", new(any)},
		{"break outside indefinite item", "ff", new(any)},
		{"indefinite array", "9f01ff", new([]int)},
		{"indefinite string", "7f6161ff", new(string)},
		{"duplicate map key", "a2616101616102", new(map[string]int)},
		{"duplicate map key into any", "a2616101616102", new(any)},
		{"duplicate struct field", "a2614e01614e02", new(struct{ N int })},
		{"type mismatch", "6161", new(int)},
		{"overflow", "1901ff", new(int8)},
		{"negative into uint", "20", new(uint)},
		{"text into bytes", "6161", new([]byte)},
		{"untagged time", "6161", new(time.Time)},
		{"bad time text", "c06161", new(time.Time)},
		{"bad ref", "4178", new(ref[int])},
		{"too deep", strings.Repeat("81", 40) + "00", new(any)},
	}
	for _, tt := range tests {
		data, err := hex.DecodeString(tt.hex)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Unmarshal(data, tt.dst)
		if !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("%s: Unmarshal(%x) into %T = %v, want ErrMalformed", tt.name, data, tt.dst, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "wire: malformed message: ") {
			t.Errorf("%s: error %q lacks the sentinel's text", tt.name, err)
		}
	}
}

func TestUnmarshalTruncated(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	in := outer{
		ID:     42,
		Inner:  inner{Name: "name", Score: 3.25, Tags: []string{"a", "b"}},
		Items:  []inner{{Name: "i"}},
		ByName: map[string]inner{"k": {}},
		Bytes:  []byte("bytes"),
		When:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Any:    map[string]any{"x": []any{1, "y"}},
	}
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		for _, dst := range []any{new(outer), new(any)} {
			if err := c.Unmarshal(b[:n], dst); !errors.Is(err, wire.ErrMalformed) {
				t.Fatalf("Unmarshal(first %d of %d bytes) into %T = %v, want ErrMalformed", n, len(b), dst, err)
			}
		}
	}
	var out outer
	if err := c.Unmarshal(b, &out); err != nil {
		t.Fatalf("Unmarshal(all %d bytes): %v", len(b), err)
	}
}

func TestUnmarshalBadDestination(t *testing.T) {
	t.Parallel()
	c := newCodec(t, wire.Limits{})
	var n int
	tests := []struct {
		name string
		dst  any
	}{
		{"nil", nil},
		{"non-pointer", n},
		{"nil pointer", (*int)(nil)},
		{"map", map[string]int{}},
	}
	for _, tt := range tests {
		err := c.Unmarshal([]byte{0x01}, tt.dst)
		if err == nil {
			t.Errorf("%s: Unmarshal into %T succeeded, want an error", tt.name, tt.dst)
			continue
		}
		if errors.Is(err, wire.ErrMalformed) || errors.Is(err, wire.ErrTooLarge) {
			t.Errorf("%s: Unmarshal into %T = %v, want a plain error", tt.name, tt.dst, err)
		}
	}
}

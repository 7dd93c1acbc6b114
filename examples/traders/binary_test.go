package traders_test

import (
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/examples/traders"
)

func TestBinaryRoundTrip(t *testing.T) {
	t.Parallel()
	d := traders.Generate(small)
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got traders.Data
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("UnmarshalBinary(MarshalBinary(d)) differs from d")
	}
}

func TestBinaryBadInput(t *testing.T) {
	t.Parallel()
	d := traders.Generate(traders.Config{Assets: 2, Traders: 3, Trades: 2, Seed: 1})
	good, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	header := len(good) - len(d.Trades)*33
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	for _, tt := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"version", edit(func(b []byte) []byte { b[0] = 9; return b })},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"header only", good[:header]},
		{"zero assets", edit(func(b []byte) []byte { b[1] = 0; return b })},
		{"asset out of range", edit(func(b []byte) []byte { b[header+8] = 7; return b })},
		{"trader of another asset", edit(func(b []byte) []byte { b[header+12] = 5; b[header+8] = 0; return b })},
		{"side", edit(func(b []byte) []byte { b[header+16] = 3; return b })},
		{"huge count", []byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1, 0, 0}},
	} {
		var got traders.Data
		if err := got.UnmarshalBinary(tt.in); !errors.Is(err, traders.ErrBadData) {
			t.Errorf("%s: UnmarshalBinary = %v, want ErrBadData", tt.name, err)
		}
	}
}

// On a cluster the table travels in its binary form, and the nested maps
// run on the workers; the answer is the same.
func TestRunOnCluster(t *testing.T) {
	t.Parallel()
	d := traders.Generate(small)
	want := traders.Sequential(d)
	c, err := cluster.Start(t.Context(), cluster.Workers(2), cluster.Slots(1), cluster.Output(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := traders.Run(t.Context(), c, d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run on a cluster = %+v\nSequential = %+v", got, want)
	}
}

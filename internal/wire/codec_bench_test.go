package wire_test

import (
	"testing"
	"time"

	"github.com/shoal-go/shoal/internal/wire"
)

type task struct {
	ID      int64
	Name    string
	Weights []float64
	Ref     ref[int]
	When    time.Time
}

func BenchmarkMarshalUnmarshal(b *testing.B) {
	c := newCodec(b, wire.Limits{})
	in := task{
		ID:      12345,
		Name:    "resize-image",
		Weights: []float64{0.5, 0.25, 1e-3},
		Ref:     ref[int]{id: "obj-7f3a"},
		When:    time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	b.ReportAllocs()
	for b.Loop() {
		data, err := c.Marshal(in)
		if err != nil {
			b.Fatal(err)
		}
		var out task
		if err := c.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

package wire_test

import (
	"slices"
	"testing"

	"github.com/shoal-go/shoal/internal/wire"
)

// A list assembled from a header and values encoded apart decodes as the
// slice of those values, for lengths in every size class of the header.
func TestListHeader(t *testing.T) {
	c, err := wire.New(wire.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536} {
		want := make([]string, n)
		data := c.ListHeader(n)
		for i := range want {
			want[i] = string(rune('a' + i%26))
			item, err := c.Marshal(want[i])
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, item...)
		}
		whole, err := c.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(data, whole) {
			t.Errorf("n=%d: assembled list differs from the slice's encoding", n)
		}
		var got []string
		if err := c.Unmarshal(data, &got); err != nil || !slices.Equal(got, want) && n > 0 {
			t.Errorf("n=%d: Unmarshal = %v (%d items)", n, err, len(got))
		}
	}
}

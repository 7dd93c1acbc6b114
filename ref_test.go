package shoal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shoal-go/shoal"
)

func TestPutIsZeroCopyOnAPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newPool(t, 4)
	data := make([]float64, 1<<16)
	for i := range data {
		data[i] = float64(i)
	}
	ref, err := shoal.Put(ctx, p, data)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := shoal.Map(ctx, p, ints(16), func(ctx context.Context, k int) (float64, error) {
		d, err := ref.Get(ctx)
		if err != nil {
			return 0, err
		}
		if &d[0] != &data[0] {
			return 0, errors.New("task got a copy of the shared data")
		}
		s := 0.0
		for _, v := range d[k:] {
			s += v
		}
		return s, nil
	}, shoal.Limit(5))
	if err != nil {
		t.Fatal(err)
	}
	if sums[0] != float64(len(data)*(len(data)-1)/2) {
		t.Errorf("sum = %v", sums[0])
	}
	if err := ref.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Get(ctx); !errors.Is(err, shoal.ErrReleased) {
		t.Errorf("Get after Release = %v, want ErrReleased", err)
	}
	if err := ref.Release(ctx); err != nil {
		t.Errorf("second Release = %v", err)
	}
	var zero shoal.Ref[int]
	if _, err := zero.Get(ctx); err == nil {
		t.Error("zero Ref Get succeeded")
	}
}

package shoal_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// syncBuffer is a bytes.Buffer safe for the renderer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Not parallel: the progress renderer is process-wide.
func TestMapProgressBar(t *testing.T) {
	var out syncBuffer
	progress.SetOutput(&out, false)
	t.Cleanup(func() { progress.Configure(progress.Config{}) })

	ctx := context.Background()
	p := newPool(t, 2)
	_, err := shoal.Map(ctx, p, ints(20), func(ctx context.Context, i int) (int, error) {
		inner, err := shoal.Map(ctx, shoal.From(ctx), ints(10), double, shoal.Progress("traders"))
		return len(inner), err
	}, shoal.Progress("assets"))
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "assets: 20/20 (100%)") {
		t.Errorf("progress output %q lacks the final line", got)
	}
	n := 0
	for range shoal.Stream(ctx, p, func(yield func(int) bool) {
		for i := range 7 {
			if !yield(i) {
				return
			}
		}
	}, double, shoal.Progress("stream")) {
		n++
	}
	if got := out.String(); !strings.Contains(got, "stream: 7/7") {
		t.Errorf("progress output %q lacks the stream's final line", got)
	}
}

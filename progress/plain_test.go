package progress_test

import (
	"testing"
	"time"

	"github.com/shoal-go/shoal/progress"
)

func TestFormatLine(t *testing.T) {
	tests := []struct {
		done, total int64
		elapsed     time.Duration
		final       bool
		want        string
	}{
		{12, 20, 4 * time.Second, false, "assets: 12/20 (60%) 3.0/s ETA 3s"},
		{12, -1, 4 * time.Second, false, "assets: 12 3.0/s"},
		{0, 20, 4 * time.Second, false, "assets: 0/20 (0%) 0.0/s"},
		{0, 20, 0, false, "assets: 0/20 (0%)"},
		{2, 3, time.Second, false, "assets: 2/3 (66%) 2.0/s ETA 1s"},
		{1, 100, time.Second, false, "assets: 1/100 (1%) 1.0/s ETA 1m39s"},
		{25, 20, 5 * time.Second, false, "assets: 25/20 (125%) 5.0/s ETA 0s"},
		{20, 20, 6400 * time.Millisecond, true, "assets: 20/20 (100%) in 6.4s"},
		{20, 20, 6449 * time.Millisecond, true, "assets: 20/20 (100%) in 6.4s"},
		{20, 20, 75300 * time.Millisecond, true, "assets: 20/20 (100%) in 1m15s"},
		{12, 20, time.Second, true, "assets: 12/20 (60%) in 1.0s"},
		{20, -1, 30 * time.Millisecond, true, "assets: 20 in 0.0s"},
		{0, 0, 0, true, "assets: 0/0 (100%) in 0.0s"},
		{0, 0, -time.Second, true, "assets: 0/0 (100%) in 0.0s"},
	}
	for _, tt := range tests {
		got := progress.FormatLine("assets", tt.done, tt.total, tt.elapsed, tt.final)
		if got != tt.want {
			t.Errorf("FormatLine(%d, %d, %v, %v) = %q, want %q",
				tt.done, tt.total, tt.elapsed, tt.final, got, tt.want)
		}
	}
}

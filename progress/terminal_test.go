package progress_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shoal-go/shoal/progress"
)

// lastFrame returns the lines of the last frame mpb drew into out: mpb ends
// each frame with its lines and, before the next, moves the cursor up over
// them and clears the screen below ("\x1b[<n>A\x1b[J").
func lastFrame(out string) []string {
	if i := strings.LastIndex(out, "\x1b[J"); i >= 0 {
		out = out[i+len("\x1b[J"):]
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return lines
}

func TestTerminalMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := new(syncBuffer)
		configure(t, progress.Config{Output: out, Mode: progress.ModeTerminal, Width: 70})
		assets := progress.Start("assets", 3, nil)
		stream := progress.Start("stream", -1, nil)
		for i := range 3 {
			traders := progress.Start("traders", 2, assets)
			traders.Add(1)
			time.Sleep(time.Second) // several refreshes
			synctest.Wait()
			if i == 0 {
				got := lastFrame(out.String())
				t.Logf("running frame:\n%s", strings.Join(got, "\n"))
				if len(got) != 3 || !strings.HasPrefix(got[0], "assets ") ||
					!strings.HasPrefix(got[1], "  traders ") || !strings.HasPrefix(got[2], "stream ") {
					t.Errorf("running frame: got %q, want assets, then traders indented, then stream", got)
				}
			}
			traders.Add(1)
			traders.Finish()
			assets.Add(1)
			stream.Add(2)
		}
		assets.Finish()
		stream.Finish()

		got := lastFrame(out.String())
		t.Logf("final frame:\n%s", strings.Join(got, "\n"))
		if len(got) != 2 || !strings.HasPrefix(got[0], "assets ") || !strings.HasPrefix(got[1], "stream ") {
			t.Fatalf("final frame: got %q, want the two top-level bars only", got)
		}
		for _, want := range []string{"3/3", "100%", "1.0/s", "in 3.0s"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("final assets line %q lacks %q", got[0], want)
			}
		}
		for _, want := range []string{" 6 ", "2.0/s", "in 3.0s"} {
			if !strings.Contains(got[1], want) {
				t.Errorf("final stream line %q lacks %q", got[1], want)
			}
		}
	})
}

func TestTerminalAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := new(syncBuffer)
		configure(t, progress.Config{Output: out, Mode: progress.ModeTerminal, Width: 70})
		assets := progress.Start("assets", 10, nil)
		traders := progress.Start("traders", 10, assets)
		traders.Add(4)
		assets.Add(4)
		time.Sleep(time.Second)
		traders.Finish()
		assets.Finish()
		got := lastFrame(out.String())
		if len(got) != 1 || !strings.Contains(got[0], "4/10") || !strings.Contains(got[0], "in 1.0s") {
			t.Errorf("final frame: got %q, want one assets line with 4/10 ... in 1.0s", got)
		}
	})
}

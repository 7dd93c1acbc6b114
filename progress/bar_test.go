package progress_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shoal-go/shoal/progress"
	"go.uber.org/goleak"
)

// syncBuffer is a bytes.Buffer safe for the renderer to write while a test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// configure sets c for the test and restores the defaults after it.
func configure(t *testing.T, c progress.Config) {
	t.Helper()
	progress.Configure(c)
	t.Cleanup(func() { progress.Configure(progress.Config{}) })
}

// plain configures plain mode with the given interval into the returned buffer.
func plain(t *testing.T, interval time.Duration) *syncBuffer {
	t.Helper()
	out := new(syncBuffer)
	configure(t, progress.Config{Output: out, Mode: progress.ModePlain, Interval: interval})
	return out
}

func checkOutput(t *testing.T, out *syncBuffer, want ...string) {
	t.Helper()
	got := out.String()
	if w := strings.Join(want, ""); got != w {
		t.Errorf("output:\n%s\nwant:\n%s", got, w)
	}
}

// The tests run in synctest bubbles: time is fake, so intervals are exact,
// time.Sleep advances the clock without waiting, and synctest.Test fails if
// any goroutine is left once the test function returns.

func TestPlainFinalLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, 10*time.Second)
		bar := progress.Start("assets", 20, nil)
		for range 20 {
			bar.Add(1)
		}
		time.Sleep(6400 * time.Millisecond)
		bar.Finish()
		checkOutput(t, out, "assets: 20/20 (100%) in 6.4s\n")
	})
}

func TestPlainProgressLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Second)
		bar := progress.Start("assets", 10, nil)
		bar.Add(5)
		time.Sleep(time.Second)
		synctest.Wait() // the renderer has printed and waits again
		checkOutput(t, out, "assets: 5/10 (50%) 5.0/s ETA 1s\n")

		bar.Add(3)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		checkOutput(t, out, "assets: 5/10 (50%) 5.0/s ETA 1s\n") // at most one line per interval

		bar.Add(2)
		bar.Finish()
		checkOutput(t, out,
			"assets: 5/10 (50%) 5.0/s ETA 1s\n",
			"assets: 10/10 (100%) in 1.5s\n")
	})
}

func TestPlainAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		bar := progress.Start("assets", 20, nil)
		bar.Add(12)
		time.Sleep(3 * time.Second)
		bar.Finish()
		checkOutput(t, out, "assets: 12/20 (60%) in 3.0s\n")
	})
}

func TestUnknownTotal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Second)
		bar := progress.Start("stream", -1, nil)
		bar.Add(3)
		time.Sleep(time.Second)
		synctest.Wait()
		checkOutput(t, out, "stream: 3 3.0/s\n")

		bar.Add(1)
		bar.SetTotal(4) // the input ended
		bar.Finish()
		checkOutput(t, out, "stream: 3 3.0/s\n", "stream: 4/4 (100%) in 1.0s\n")
	})
}

func TestUnknownTotalNeverSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		bar := progress.Start("stream", -1, nil)
		bar.Add(7)
		bar.Finish()
		checkOutput(t, out, "stream: 7 in 0.0s\n")
	})
}

func TestZeroTotal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		bar := progress.Start("empty", 0, nil)
		if got := bar.Done(); got != 0 {
			t.Errorf("Done() = %d, want 0", got)
		}
		bar.Finish()
		checkOutput(t, out, "empty: 0/0 (100%) in 0.0s\n")
	})
}

func TestFinishIdempotent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		bar := progress.Start("assets", 2, nil)
		bar.Add(2)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(bar.Finish)
		}
		wg.Wait()
		bar.Finish()
		checkOutput(t, out, "assets: 2/2 (100%) in 0.0s\n")
	})
}

func TestAddAfterFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		bar := progress.Start("assets", 2, nil)
		bar.Add(2)
		bar.Finish()
		bar.Add(1)
		bar.SetTotal(5)
		if got, want := bar.Done(), 3; got != want {
			t.Errorf("Done() = %d, want %d", got, want)
		}
		bar.Finish()
		checkOutput(t, out, "assets: 2/2 (100%) in 0.0s\n")
	})
}

func TestConcurrentAdd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const goroutines, adds = 64, 1000
		out := plain(t, time.Minute)
		bar := progress.Start("assets", goroutines*adds, nil)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range adds {
					bar.Add(1)
				}
			})
		}
		wg.Wait()
		if got, want := bar.Done(), goroutines*adds; got != want {
			t.Errorf("Done() = %d, want %d", got, want)
		}
		bar.Finish()
		checkOutput(t, out, "assets: 64000/64000 (100%) in 0.0s\n")
	})
}

func TestNestedPrefix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Second)
		assets := progress.Start("assets", 2, nil)

		quick := progress.Start("traders", 1, assets)
		quick.Add(1)
		quick.Finish() // shorter than the interval: no line

		slow := progress.Start("traders", 4, assets)
		legs := progress.Start("legs", 1, slow)
		slow.Add(2)
		time.Sleep(time.Second)
		synctest.Wait()
		checkOutput(t, out,
			"assets: 0/2 (0%) 0.0/s\n",
			"assets/traders: 2/4 (50%) 2.0/s ETA 1s\n",
			"assets/traders/legs: 0/1 (0%) 0.0/s\n")

		legs.Add(1)
		legs.Finish()
		slow.Add(2)
		slow.Finish()
		assets.Add(2)
		assets.Finish()
		checkOutput(t, out,
			"assets: 0/2 (0%) 0.0/s\n",
			"assets/traders: 2/4 (50%) 2.0/s ETA 1s\n",
			"assets/traders/legs: 0/1 (0%) 0.0/s\n",
			"assets/traders/legs: 1/1 (100%) in 1.0s\n",
			"assets/traders: 4/4 (100%) in 1.0s\n",
			"assets: 2/2 (100%) in 1.0s\n")
	})
}

func TestRendererRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := plain(t, time.Minute)
		for _, label := range []string{"first", "second", "third"} {
			bar := progress.Start(label, 1, nil)
			bar.Add(1)
			bar.Finish()
		}
		checkOutput(t, out,
			"first: 1/1 (100%) in 0.0s\n",
			"second: 1/1 (100%) in 0.0s\n",
			"third: 1/1 (100%) in 0.0s\n")
	})
}

func TestAutoModeOffTerminal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := new(syncBuffer)
		configure(t, progress.Config{Output: out}) // a buffer is no terminal
		bar := progress.Start("assets", 1, nil)
		bar.Add(1)
		bar.Finish()
		checkOutput(t, out, "assets: 1/1 (100%) in 0.0s\n")
	})
}

func TestSetOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := new(syncBuffer)
		configure(t, progress.Config{Interval: time.Minute})
		progress.SetOutput(out, false)
		bar := progress.Start("assets", 1, nil)
		bar.Add(1)
		bar.Finish()
		checkOutput(t, out, "assets: 1/1 (100%) in 0.0s\n")
	})
}

func TestNilBar(t *testing.T) {
	var bar *progress.Bar
	bar.Add(1)
	bar.SetTotal(2)
	if got := bar.Done(); got != 0 {
		t.Errorf("Done() = %d, want 0", got)
	}
	bar.Finish()
}

func TestZeroBar(t *testing.T) {
	var bar progress.Bar
	bar.Add(2)
	bar.Finish()
	bar.Add(1)
	if got := bar.Done(); got != 3 {
		t.Errorf("Done() = %d, want 3", got)
	}
}

// blockedWriter blocks every Write until release is closed.
type blockedWriter struct{ release chan struct{} }

func (w blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	return len(p), nil
}

func TestBlockedOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := blockedWriter{release: make(chan struct{})}
		configure(t, progress.Config{Output: w, Mode: progress.ModePlain, Interval: time.Second})
		bar := progress.Start("assets", 100, nil)
		time.Sleep(time.Second) // the renderer blocks writing a progress line
		synctest.Wait()
		bar.Add(100) // doesn't wait for the writer
		start := time.Now()
		bar.Finish() // gives up waiting
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("Finish waited %v for a blocked output", waited)
		}
		close(w.release) // the renderer can finish and exit
	})
}

func TestNoGoroutineAfterLastFinish(t *testing.T) {
	for _, mode := range []progress.Mode{progress.ModePlain, progress.ModeTerminal} {
		out := new(syncBuffer)
		configure(t, progress.Config{Output: out, Mode: mode, Refresh: time.Millisecond, Width: 60})
		outer := progress.Start("assets", 3, nil)
		for range 3 {
			inner := progress.Start("traders", 2, outer)
			inner.Add(2)
			inner.Finish()
			outer.Add(1)
		}
		outer.Finish()
		goleak.VerifyNone(t)
	}
}

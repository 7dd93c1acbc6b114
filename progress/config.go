package progress

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Defaults used where a [Config] field is left zero.
const (
	// DefaultInterval is how often a running bar prints a line in plain mode.
	DefaultInterval = 5 * time.Second
	// DefaultRefresh is how often terminal mode redraws.
	DefaultRefresh = 150 * time.Millisecond
)

// Mode selects how bars are drawn.
type Mode int

const (
	// ModeAuto is the zero Mode: it uses ModeTerminal when Config.Output is a
	// terminal (an *os.File, or anything with an Fd method, for which
	// golang.org/x/term.IsTerminal reports true) and ModePlain otherwise.
	ModeAuto Mode = iota
	// ModePlain prints one line per bar at most every Config.Interval while
	// it runs and one final line when it finishes. It suits pipes, files and
	// CI logs.
	ModePlain
	// ModeTerminal redraws all live bars in place every Config.Refresh with
	// github.com/vbauerster/mpb/v8, using ANSI cursor movement.
	ModeTerminal
)

// Config controls where and how bars are drawn. The zero Config gives the
// defaults: os.Stderr, mode detected from it, DefaultInterval,
// DefaultRefresh, the terminal's width and time.Now.
type Config struct {
	// Output receives the drawing. Nil means os.Stderr. Only the renderer
	// writes to it, from its own goroutines (one line per Write in plain
	// mode), so it need not be safe for concurrent use. A Write that blocks
	// delays drawing and, for at most about two seconds, Bar.Finish; never
	// Bar.Add.
	Output io.Writer

	// Mode selects terminal or plain drawing; ModeAuto detects it from Output.
	Mode Mode

	// Interval is the least time between two lines of a running bar in plain
	// mode, and how long a nested bar must run for its final line to be
	// printed. Zero or negative means DefaultInterval.
	Interval time.Duration

	// Refresh is the redraw period in terminal mode. Zero or negative means
	// DefaultRefresh.
	Refresh time.Duration

	// Width is the line width in terminal mode. Zero or negative means the
	// terminal's width, or 80 columns when Output is not a terminal.
	Width int

	// Clock times bars (elapsed time, rate, ETA). Nil means time.Now. It is
	// called from several goroutines and must be safe for concurrent use.
	// A stopped clock makes plain output reproducible, as in the examples.
	Clock func() time.Time
}

// Configure sets the configuration used by the renderer. The renderer reads it
// when it starts, that is when a bar starts while no other bar is live, so a
// change made while bars are live applies once they have all finished.
// Configure is safe for concurrent use and does not block on drawing.
func Configure(c Config) {
	reg.mu.Lock()
	reg.cfg = c
	reg.mu.Unlock()
}

// SetOutput sends the drawing to w (nil means os.Stderr) in terminal mode if
// terminal is true and in plain mode otherwise, keeping the other settings
// given to [Configure]. Like Configure, it applies from the next renderer on.
func SetOutput(w io.Writer, terminal bool) {
	reg.mu.Lock()
	reg.cfg.Output = w
	reg.cfg.Mode = ModePlain
	if terminal {
		reg.cfg.Mode = ModeTerminal
	}
	reg.mu.Unlock()
}

// settings is a Config with its defaults filled in.
type settings struct {
	out      io.Writer
	terminal bool
	interval time.Duration
	refresh  time.Duration
	width    int
	now      func() time.Time
}

func (c Config) settings() settings {
	s := settings{
		out:      c.Output,
		terminal: c.Mode == ModeTerminal,
		interval: c.Interval,
		refresh:  c.Refresh,
		width:    max(c.Width, 0),
		now:      c.Clock,
	}
	if s.out == nil {
		s.out = os.Stderr
	}
	if c.Mode == ModeAuto {
		s.terminal = isTerminal(s.out)
	}
	if s.width == 0 && !hasWidth(s.out) {
		// A pseudo-terminal can report 0 columns (script without a tty,
		// some CI containers); mpb would then draw nothing.
		s.width = 80
	}
	if s.interval <= 0 {
		s.interval = DefaultInterval
	}
	if s.refresh <= 0 {
		s.refresh = DefaultRefresh
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// hasWidth reports whether w is a terminal that reports a width.
func hasWidth(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	return err == nil && cols > 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// Package progress draws progress bars for long computations, such as the
// bars shoal.Map draws on standard error when given shoal.Progress.
//
// A [Bar] is started with [Start], counts work with [Bar.Add] from any number
// of goroutines and ends with [Bar.Finish]:
//
//	bar := progress.Start("assets", len(assets), nil)
//	defer bar.Finish()
//	for _, a := range assets {
//		process(a)
//		bar.Add(1)
//	}
//
// A bar started with a parent is nested under it: a Map running inside an
// item of another Map passes the outer Map's bar as the parent.
//
// # Rendering modes
//
// The output is os.Stderr unless [Configure] or [SetOutput] says otherwise.
// In [ModeAuto], the default, the mode is chosen from the output when the
// renderer starts: terminal mode if it is a terminal according to
// golang.org/x/term, plain mode otherwise.
//
// Terminal mode draws every bar on screen in place, with
// github.com/vbauerster/mpb/v8, every [Config].Refresh (150 ms by default): the
// label, done/total, a bar, the percentage, the average rate and the ETA, then
// the elapsed time once the bar has finished. Nested bars are indented under
// their parent and disappear when they finish, so a nested Map over 200 items
// leaves no line behind; top-level bars stay on screen.
//
// Plain mode, for pipes, files and CI logs, never moves the cursor. A running
// bar prints a line every [Config].Interval (5 s by default), the first one an
// interval after it started, and a bar prints a final line when it finishes:
//
//	assets: 12/20 (60%) 3.1/s ETA 3s
//	assets: 20/20 (100%) in 6.4s
//
// With an unknown total (negative, until [Bar.SetTotal]) only the count and
// rate are shown: "assets: 12 3.1/s", "assets: 20 in 6.4s". A nested bar's
// lines are prefixed by its parents' labels ("assets/traders: ..."), and a
// nested bar prints its final line only if it ran for an interval or more:
// a short nested bar prints nothing at all, so 200 quick nested maps don't
// flood the log, while a long one reports like a top-level bar.
//
// # Concurrency and costs
//
// All functions and methods are safe for concurrent use. [Bar.Add],
// [Bar.SetTotal] and [Bar.Done] are single atomic operations on the Bar: no
// lock, no channel, no allocation, and they never wait for drawing. The
// renderer reads the counts on its own schedule, so a slow or blocked output
// slows drawing only. [Start] and [Bar.Finish] take a package-wide lock
// briefly; Finish then waits until the bar's final state is written, but
// never more than about two seconds.
//
// # Goroutines
//
// Drawing is done by one process-wide renderer. The first [Start] while no
// bar is live creates it and its goroutine (plus mpb's goroutines in terminal
// mode); the [Bar.Finish] of the last live bar draws the final state, stops
// them all and waits for them, so once every started bar is finished no
// goroutine of this package is left (as go.uber.org/goleak checks in tests).
// A bar that is never finished keeps the renderer running. If the output
// blocks for good, Finish returns after its timeout but the renderer stays
// blocked in Write: an io.Writer cannot be interrupted.
//
// The renderer reads the configuration when it starts, so [Configure] takes
// effect for the bars started once all live ones have finished. Renderers
// draw one after the other, never at the same time. Nothing else should
// write to the output while a terminal-mode bar is live.
//
// # Panics
//
// The package does not panic on misuse: methods on a nil *Bar do nothing,
// Add after Finish only counts, and Finish may be called any number of
// times. A panic in the configured io.Writer happens on the renderer
// goroutine and, like any unrecovered panic, ends the program.
package progress

package progress

import (
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// plainDrawer prints lines: one per running bar every interval, and a final
// one when a top-level bar, or a nested bar that ran for an interval or more,
// finishes.
type plainDrawer struct {
	w        io.Writer
	interval time.Duration
	running  []plainBar // in start order
	buf      []byte
}

type plainBar struct {
	b    *Bar
	next time.Time // when to print the next line
}

func newPlainDrawer(s settings) *plainDrawer {
	return &plainDrawer{w: s.out, interval: s.interval}
}

func (d *plainDrawer) add(b *Bar) {
	d.running = append(d.running, plainBar{b: b, next: b.start.Add(d.interval)})
}

func (d *plainDrawer) finish(b *Bar) {
	d.running = slices.DeleteFunc(d.running, func(p plainBar) bool { return p.b == b })
	if b.parent == nil || b.elapsed >= d.interval {
		d.print(b.path, b.final, b.total.Load(), b.elapsed, true)
	}
}

func (d *plainDrawer) tick(now time.Time) {
	for i := range d.running {
		p := &d.running[i]
		if now.Before(p.next) {
			continue
		}
		d.print(p.b.path, p.b.done.Load(), p.b.total.Load(), now.Sub(p.b.start), false)
		p.next = now.Add(d.interval)
	}
}

func (d *plainDrawer) next(now time.Time) time.Duration {
	wait := d.interval
	for _, p := range d.running {
		wait = min(wait, p.next.Sub(now))
	}
	return max(wait, 0)
}

func (d *plainDrawer) close() {}

func (d *plainDrawer) print(path string, done, total int64, elapsed time.Duration, final bool) {
	d.buf = appendLine(d.buf[:0], path, done, total, elapsed, final)
	d.buf = append(d.buf, '\n')
	_, _ = d.w.Write(d.buf) // nowhere to report a failed write
}

// appendLine appends a plain-mode line without its newline:
//
//	assets: 12/20 (60%) 3.1/s ETA 3s    running
//	assets: 12 3.1/s                    running, unknown total
//	assets: 20/20 (100%) in 6.4s        final
//	assets: 20 in 6.4s                  final, unknown total
func appendLine(dst []byte, path string, done, total int64, elapsed time.Duration, final bool) []byte {
	dst = append(dst, path...)
	dst = append(dst, ": "...)
	dst = appendCounts(dst, done, total)
	if total >= 0 {
		dst = append(dst, " ("...)
		dst = appendPercent(dst, done, total)
		dst = append(dst, ')')
	}
	if final {
		dst = append(dst, " in "...)
		return appendElapsed(dst, elapsed)
	}
	if elapsed > 0 {
		dst = append(dst, ' ')
		dst = appendRate(dst, done, elapsed)
		if total >= 0 && done > 0 {
			dst = append(dst, " ETA "...)
			dst = appendETA(dst, done, total, elapsed)
		}
	}
	return dst
}

// appendCounts appends "done/total", or "done" when total < 0.
func appendCounts(dst []byte, done, total int64) []byte {
	dst = strconv.AppendInt(dst, done, 10)
	if total < 0 {
		return dst
	}
	dst = append(dst, '/')
	return strconv.AppendInt(dst, total, 10)
}

// appendPercent appends the floor of done/total as a percentage; a zero total
// is 100% done.
func appendPercent(dst []byte, done, total int64) []byte {
	p := int64(100)
	if total > 0 {
		p = int64(math.Floor(float64(done) * 100 / float64(total)))
	}
	dst = strconv.AppendInt(dst, p, 10)
	return append(dst, '%')
}

// appendRate appends units per second, "3.1/s".
func appendRate(dst []byte, done int64, elapsed time.Duration) []byte {
	dst = strconv.AppendFloat(dst, rate(done, elapsed), 'f', 1, 64)
	return append(dst, "/s"...)
}

func rate(done int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(done) / elapsed.Seconds()
}

// appendETA appends the time left at the average rate so far, in whole
// seconds: "3s", "1m15s".
func appendETA(dst []byte, done, total int64, elapsed time.Duration) []byte {
	var left time.Duration
	if done > 0 && done < total {
		left = time.Duration(float64(elapsed) / float64(done) * float64(total-done))
	}
	return append(dst, left.Round(time.Second).String()...)
}

// appendElapsed appends d to a tenth of a second under a minute ("6.4s",
// "4.0s") and to the second above ("1m15s").
func appendElapsed(dst []byte, d time.Duration) []byte {
	d = max(d, 0)
	if d >= time.Minute {
		return append(dst, d.Round(time.Second).String()...)
	}
	dst = strconv.AppendFloat(dst, d.Round(100*time.Millisecond).Seconds(), 'f', 1, 64)
	return append(dst, 's')
}

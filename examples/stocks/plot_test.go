package stocks_test

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/shoal-go/shoal/examples/stocks"
)

func TestPlot(t *testing.T) {
	t.Parallel()
	pq := converted(t, generated(t, small))
	pair, err := stocks.CorrelateSequential(t.Context(), pq)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "pair.png")
	if err := stocks.Plot(pair, pq, out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG image: %v", out, err)
	}
	if b := img.Bounds(); b.Dx() != 1152 || b.Dy() != 480 {
		t.Errorf("the plot is %d×%d, want 1152×480", b.Dx(), b.Dy())
	}
	// Both lines are drawn: pixels of each line's colour.
	blue, orange := 0, 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			switch {
			case c.B > 0x90 && c.R < 0x50:
				blue++
			case c.R > 0xe0 && c.G > 0x60 && c.G < 0xa0 && c.B < 0x40:
				orange++
			}
		}
	}
	if blue < 1000 || orange < 1000 {
		t.Errorf("the plot has %d blue and %d orange pixels, want both lines", blue, orange)
	}
	noTemporaryFiles(t, dir)
}

func TestPlotFails(t *testing.T) {
	t.Parallel()
	pq := converted(t, generated(t, stocks.GenConfig{Symbols: 2, Days: 100}))
	pair, err := stocks.CorrelateSequential(t.Context(), pq)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "pair.png")
	if err := stocks.Plot(stocks.Pair{A: "NONE", B: "ZERO"}, pq, out); err == nil {
		t.Error("Plot of symbols without files succeeded")
	}
	if err := stocks.Plot(pair, pq, filepath.Join(dir, "no", "such", "dir.png")); err == nil {
		t.Error("Plot into a missing directory succeeded")
	}
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("failed plots left %v", n)
	}
}

package stocks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/parquet-go/parquet-go"
)

// Series is one symbol's closing prices, as LoadSeries reads them.
type Series struct {
	Symbol string
	Dates  []int32   // days since 1970-01-01, increasing
	Close  []float64 // positive
}

// LoadSeries reads the dates and closes of a Parquet file written by
// Convert (the body of Correlate's first map): only the columns "date"
// (required INT32 days since 1970-01-01) and "close" (required DOUBLE),
// column by column. The symbol is the file's name without its extension.
// It fails if a column is missing or of another type, if the dates are not
// increasing or if a close is not positive, naming the file.
func LoadSeries(ctx context.Context, path string) (Series, error) {
	if err := ctx.Err(); err != nil {
		return Series{}, err
	}
	// The file is small (about 40 bytes a day): one read costs less than
	// the many small ones of reading columns from disk.
	buf := files.Get().(*[]byte)
	defer files.Put(buf)
	data, err := readFile(path, (*buf)[:0])
	*buf = data[:0]
	if err != nil {
		return Series{}, err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return Series{}, fmt.Errorf("stocks: reading %s: %w", path, err)
	}
	dates, err := readColumn(pf, "date", parquet.Int32, func(r parquet.ValueReader) func([]int32) (int, error) {
		if r, ok := r.(parquet.Int32Reader); ok {
			return r.ReadInt32s
		}
		return nil
	}, parquet.Value.Int32, dateArrays.get)
	if err != nil {
		return Series{}, fmt.Errorf("stocks: reading %s: %w", path, err)
	}
	closes, err := readColumn(pf, "close", parquet.Double, func(r parquet.ValueReader) func([]float64) (int, error) {
		if r, ok := r.(parquet.DoubleReader); ok {
			return r.ReadDoubles
		}
		return nil
	}, parquet.Value.Double, closeArrays.get)
	if err != nil {
		return Series{}, fmt.Errorf("stocks: reading %s: %w", path, err)
	}
	if len(dates) != len(closes) {
		return Series{}, fmt.Errorf("stocks: reading %s: %d dates but %d closes", path, len(dates), len(closes))
	}
	for k, c := range closes {
		if k > 0 && dates[k] <= dates[k-1] {
			return Series{}, fmt.Errorf("stocks: %s: row %d: date %s is not after %s", path, k+1, formatDate(dates[k]), formatDate(dates[k-1]))
		}
		if !(c > 0) || math.IsInf(c, 1) {
			return Series{}, fmt.Errorf("stocks: %s: row %d: close %v: prices must be positive", path, k+1, c)
		}
	}
	return Series{Symbol: symbolOf(path), Dates: dates, Close: closes}, nil
}

// files holds the buffers LoadSeries reads files into.
var files = sync.Pool{New: func() any { return new([]byte) }}

// readColumn reads every value of the required column name, of physical
// type kind, from f, into an array from alloc: page by page through the
// typed reader that typed returns, or through parquet.Values converted by
// value if typed returns nil (as for a dictionary-encoded page).
func readColumn[T any](f *parquet.File, name string, kind parquet.Kind,
	typed func(parquet.ValueReader) func([]T) (int, error), value func(parquet.Value) T,
	alloc func(n int) []T,
) ([]T, error) {
	col := f.Root().Column(name)
	if col == nil || !col.Leaf() || !col.Required() || col.Type().Kind() != kind {
		return nil, fmt.Errorf("no required %v column %q", kind, name)
	}
	out := alloc(int(f.NumRows()))[:0]
	pages := col.Pages()
	defer pages.Close()
	var vals []parquet.Value
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		start, m := len(out), int(p.NumValues())
		out = slices.Grow(out, m)[:start+m]
		r := p.Values()
		if read := typed(r); read != nil {
			err = readAll(read, out[start:])
		} else {
			vals = slices.Grow(vals[:0], m)[:m]
			if err = readAll(r.ReadValues, vals); err == nil {
				for k, v := range vals {
					out[start+k] = value(v)
				}
			}
		}
		parquet.Release(p)
		if err != nil {
			return nil, err
		}
	}
}

// readAll fills dst with read.
func readAll[E any](read func([]E) (int, error), dst []E) error {
	for len(dst) > 0 {
		n, err := read(dst)
		dst = dst[n:]
		switch {
		case errors.Is(err, io.EOF):
			if len(dst) > 0 {
				return io.ErrUnexpectedEOF
			}
		case err != nil:
			return err
		case n == 0:
			return io.ErrNoProgress
		}
	}
	return nil
}

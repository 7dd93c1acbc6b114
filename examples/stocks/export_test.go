package stocks

import "context"

// ParseLine parses a line as ConvertFile does: by the fast scanner when it
// can, by encoding/json otherwise.
var ParseLine = parseLine

// DecodeLine parses a line with encoding/json only: the reference.
func DecodeLine(line []byte) (Bar, error) {
	f, err := decodeLine(line)
	if err != nil {
		return Bar{}, err
	}
	return f.bar()
}

// Scans reports whether the fast scanner parses line, without falling
// back to encoding/json.
func Scans(line []byte) bool {
	_, ok := scanLine(line)
	return ok
}

// AllPairs returns every pair of the symbols in parquetDir that Correlate
// compares, with its correlation, by the pair's two symbols.
func AllPairs(ctx context.Context, parquetDir string) (map[[2]string]Pair, error) {
	paths, err := list(parquetDir, ".parquet")
	if err != nil {
		return nil, err
	}
	series := make([]Series, len(paths))
	for i, p := range paths {
		if series[i], err = LoadSeries(ctx, p); err != nil {
			return nil, err
		}
	}
	l := newLoaded(series)
	rows := make([]Row, len(series))
	for i := range series {
		rows[i] = standardise(l, i)
	}
	r := returnsOf(l, rows)
	out := map[[2]string]Pair{}
	for i := range r.Symbols {
		for j := i + 1; j < len(r.Symbols); j++ {
			if c, n := r.corr(i, j); n > 0 {
				out[[2]string{r.Symbols[i], r.Symbols[j]}] = Pair{A: r.Symbols[i], B: r.Symbols[j], Corr: c, Days: n}
			}
		}
	}
	return out, nil
}

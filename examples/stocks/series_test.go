package stocks_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/shoal-go/shoal/examples/stocks"
)

// LoadSeries reads Parquet files that other writers made too, as long as
// they have the columns it needs.
func TestLoadSeriesOtherFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dates := []int32{day, day + 1, day + 4}
	closes := []float64{10, 10.5, 9.75}

	// Dictionary-encoded and zstd-compressed, with other columns: read
	// through parquet.Values rather than the typed readers.
	type dictRow struct {
		Symbol string  `parquet:"symbol,dict"`
		Close  float64 `parquet:"close,dict,zstd"`
		Date   int32   `parquet:"date,date,dict"`
	}
	var rows []dictRow
	for k := range dates {
		rows = append(rows, dictRow{Symbol: "DICT", Close: closes[k], Date: dates[k]})
	}
	if err := parquet.WriteFile(filepath.Join(dir, "DICT.parquet"), rows); err != nil {
		t.Fatal(err)
	}
	s, err := stocks.LoadSeries(t.Context(), filepath.Join(dir, "DICT.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Symbol != "DICT" || !slices.Equal(s.Dates, dates) || !slices.Equal(s.Close, closes) {
		t.Errorf("LoadSeries = %+v, want DICT, %v, %v", s, dates, closes)
	}

	type floatRow struct {
		Date  int32   `parquet:"date,date"`
		Close float32 `parquet:"close"`
	}
	type optionalRow struct {
		Date  int32    `parquet:"date,date"`
		Close *float64 `parquet:"close,optional"`
	}
	type noCloseRow struct {
		Date int32   `parquet:"date,date"`
		Last float64 `parquet:"last"`
	}
	type bar struct {
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	one := 1.0
	tests := []struct {
		name  string
		write func(path string) error
		err   string
	}{
		{"float32", func(p string) error { return parquet.WriteFile(p, []floatRow{{day, 1}}) }, `no required DOUBLE column "close"`},
		{"optional", func(p string) error { return parquet.WriteFile(p, []optionalRow{{day, &one}}) }, `no required DOUBLE column "close"`},
		{"no close", func(p string) error { return parquet.WriteFile(p, []noCloseRow{{day, 1}}) }, `no required DOUBLE column "close"`},
		{"unsorted", func(p string) error { return parquet.WriteFile(p, []bar{{day, 1}, {day - 1, 1}}) }, "row 2: date 2020-01-01 is not after 2020-01-02"},
		{"zero close", func(p string) error { return parquet.WriteFile(p, []bar{{day, 1}, {day + 1, 0}}) }, "row 2: close 0: prices must be positive"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".parquet")
		if err := tt.write(path); err != nil {
			t.Fatal(err)
		}
		_, err := stocks.LoadSeries(t.Context(), path)
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: LoadSeries: err = %v, want it to name %s and say %q", tt.name, err, path, tt.err)
		}
	}
}

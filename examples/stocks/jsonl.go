package stocks

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Bar is one trading day of one symbol: a line of a .jsonl file, and a row
// of a .parquet file written by Convert.
type Bar struct {
	// Date is the day, as days since 1970-01-01 (the Parquet DATE type);
	// in JSON, a "YYYY-MM-DD" string.
	Date   int32   `parquet:"date,date,delta"`
	Open   float64 `parquet:"open"`
	High   float64 `parquet:"high"`
	Low    float64 `parquet:"low"`
	Close  float64 `parquet:"close"`
	Volume int64   `parquet:"volume,delta"`
}

// LineError reports a malformed line of a JSON-lines file. Its message
// starts with the file and line, as a compiler's does:
//
//	data/AAPL.jsonl:17: missing "close"
type LineError struct {
	File string // the file's path, as given
	Line int    // counted from 1
	Err  error  // what is wrong with the line
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns what is wrong with the line.
func (e *LineError) Unwrap() error { return e.Err }

// readBars parses the JSON lines of file (its contents in data) into bars
// in date order. Blank lines are skipped. Each line must be a JSON object
// with the keys "date" (a "YYYY-MM-DD" string), "open", "high", "low",
// "close" (positive numbers) and "volume" (a whole number, at least 0);
// keys are matched as encoding/json matches struct fields, and other keys
// are ignored. The lines may come in any order, but no date twice. The
// first malformed line fails with a *LineError. ctx is checked every few
// thousand lines. The bars returned, and the line of each, are appended
// to s.bars[:0] and s.lines[:0], which keep the arrays for the next call.
func readBars(ctx context.Context, file string, data []byte, s *scratch) ([]Bar, error) {
	n := bytes.Count(data, []byte{'\n'}) + 1
	bars := slices.Grow(s.bars[:0], n)
	lines := slices.Grow(s.lines[:0], n) // the line of each bar
	defer func() { s.bars, s.lines = bars[:0], lines[:0] }()
	sorted := true
	for line := 1; len(data) > 0; line++ {
		var text []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			text, data = data, nil
		}
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if blank(text) {
			continue
		}
		b, err := parseLine(text)
		if err != nil {
			return nil, &LineError{File: file, Line: line, Err: err}
		}
		if k := len(bars); k > 0 && b.Date <= bars[k-1].Date {
			if b.Date == bars[k-1].Date {
				return nil, duplicate(file, line, int(lines[k-1]), b.Date)
			}
			sorted = false
		}
		bars = append(bars, b)
		lines = append(lines, int32(line))
	}
	if sorted {
		return bars, nil
	}
	// Put the bars in date order, and find any date given twice.
	order := make([]int, len(bars))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(bars[x].Date, bars[y].Date) })
	out := make([]Bar, len(bars))
	for k, i := range order {
		out[k] = bars[i]
		if k > 0 && out[k].Date == out[k-1].Date {
			first, second := int(lines[order[k-1]]), int(lines[i])
			return nil, duplicate(file, max(first, second), min(first, second), out[k].Date)
		}
	}
	return out, nil
}

func duplicate(file string, line, first int, date int32) error {
	return &LineError{File: file, Line: line, Err: fmt.Errorf("date %s again (first on line %d)", formatDate(date), first)}
}

// blank reports whether a line holds only JSON whitespace.
func blank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// fields is a line's values before validation.
type fields struct {
	date                           []byte
	open, high, low, close, volume float64
	have                           uint8 // bit k: fieldNames[k] was given
}

var fieldNames = [...]string{"date", "open", "high", "low", "close", "volume"}

const allFields = 1<<len(fieldNames) - 1

// parseLine parses one line: by scanLine when the line is plain (as nearly
// every line is), otherwise by encoding/json. Both give the same result;
// FuzzParseLine checks that they do.
func parseLine(line []byte) (Bar, error) {
	f, ok := scanLine(line)
	if !ok {
		var err error
		if f, err = decodeLine(line); err != nil {
			return Bar{}, err
		}
	}
	return f.bar()
}

// bar validates f.
func (f *fields) bar() (Bar, error) {
	if f.have != allFields {
		for k, name := range fieldNames {
			if f.have&(1<<k) == 0 {
				return Bar{}, fmt.Errorf("missing %q", name)
			}
		}
	}
	date, ok := parseDate(f.date)
	if !ok {
		return Bar{}, fmt.Errorf("date %q: want a real day as YYYY-MM-DD", f.date)
	}
	for k, v := range [...]float64{f.open, f.high, f.low, f.close} {
		if !(v > 0) {
			return Bar{}, fmt.Errorf("%q is %v: prices must be positive", fieldNames[k+1], v)
		}
	}
	if f.volume < 0 || f.volume != math.Trunc(f.volume) || f.volume >= 1<<63 {
		return Bar{}, fmt.Errorf(`"volume" is %v: want a whole number, at least 0`, f.volume)
	}
	return Bar{Date: date, Open: f.open, High: f.high, Low: f.low, Close: f.close, Volume: int64(f.volume)}, nil
}

// jsonLine is what decodeLine gives encoding/json to fill. A field stays
// nil where the line has no such key, or null.
type jsonLine struct {
	Date   *string  `json:"date"`
	Open   *float64 `json:"open"`
	High   *float64 `json:"high"`
	Low    *float64 `json:"low"`
	Close  *float64 `json:"close"`
	Volume *float64 `json:"volume"`
}

// decodeLine parses a line with encoding/json: the reference, and the
// path for lines scanLine declines.
func decodeLine(line []byte) (fields, error) {
	var j jsonLine
	if err := json.Unmarshal(line, &j); err != nil {
		// Say what is wrong without encoding/json's Go types.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return fields{}, err // a syntax error
		}
		if te.Field == "" {
			return fields{}, fmt.Errorf("a JSON %s: want an object", te.Value)
		}
		if n, ok := strings.CutPrefix(te.Value, "number "); ok {
			return fields{}, fmt.Errorf("%q is %s: out of range", te.Field, n)
		}
		return fields{}, fmt.Errorf("%q is a JSON %s: want a %s", te.Field, te.Value, want(te.Field))
	}
	var f fields
	if j.Date != nil {
		f.date, f.have = []byte(*j.Date), f.have|1
	}
	for k, p := range [...]*float64{j.Open, j.High, j.Low, j.Close, j.Volume} {
		if p != nil {
			f.set(k+1, *p)
		}
	}
	return f, nil
}

func want(field string) string {
	if field == "date" {
		return "string"
	}
	return "number"
}

// set stores the value of fieldNames[k], k ≥ 1.
func (f *fields) set(k int, v float64) {
	switch k {
	case 1:
		f.open = v
	case 2:
		f.high = v
	case 3:
		f.low = v
	case 4:
		f.close = v
	case 5:
		f.volume = v
	}
	f.have |= 1 << k
}

// scanLine parses a plain line quickly: a JSON object whose keys are ASCII
// without escapes and whose values are numbers or strings without escapes.
// It reports false, leaving the line to encoding/json, for anything else:
// escapes, other values (null, true, false, objects, arrays), non-ASCII or
// case-variant keys (which encoding/json matches by Unicode case folding),
// numbers out of range, a known key with a value of the wrong kind, and any
// syntax error. What it accepts, it parses as encoding/json would.
func scanLine(s []byte) (f fields, ok bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return f, false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return f, skipSpace(s, i+1) == len(s)
	}
	for {
		// A key.
		key, j, ok := scanString(s, i)
		if !ok {
			return f, false
		}
		k := fieldIndex(key)
		if k == -2 {
			return f, false
		}
		i = skipSpace(s, j)
		if i >= len(s) || s[i] != ':' {
			return f, false
		}
		i = skipSpace(s, i+1)
		if i >= len(s) {
			return f, false
		}
		// Its value.
		switch c := s[i]; {
		case c == '"':
			str, j, ok := scanString(s, i)
			if !ok || k > 0 { // a string for a number: encoding/json's error
				return f, false
			}
			if k == 0 {
				f.date, f.have = str, f.have|1
			}
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := scanNumber(s, i)
			if j < 0 || k == 0 {
				return f, false
			}
			if k > 0 {
				v, err := strconv.ParseFloat(string(s[i:j]), 64)
				if err != nil {
					return f, false
				}
				f.set(k, v)
			}
			i = j
		default:
			return f, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return f, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			return f, skipSpace(s, i+1) == len(s)
		default:
			return f, false
		}
	}
}

// fieldIndex returns the index of key in fieldNames, -1 for another key,
// or -2 for a key encoding/json might match differently: one equal to a
// field name but for case, or with bytes beyond ASCII.
func fieldIndex(key []byte) int {
	switch string(key) {
	case "date":
		return 0
	case "open":
		return 1
	case "high":
		return 2
	case "low":
		return 3
	case "close":
		return 4
	case "volume":
		return 5
	}
	for _, c := range key {
		if c >= 0x80 {
			return -2
		}
	}
	for _, name := range fieldNames {
		if bytes.EqualFold(key, []byte(name)) {
			return -2
		}
	}
	return -1
}

func skipSpace(s []byte, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// scanString scans the string starting at s[i] == '"' and returns its
// contents and the index after it; ok is false at an escape, a control
// character or the end of the line.
func scanString(s []byte, i int) (str []byte, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// scanNumber scans a JSON number starting at s[i] and returns the index
// after it, or -1 if it is not one:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(s []byte, i int) int {
	digits := func(i int) int { // the index after a run of digits
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

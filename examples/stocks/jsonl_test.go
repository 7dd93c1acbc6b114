package stocks_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shoal-go/shoal/examples/stocks"
)

// day is 2020-01-02 as days since 1970-01-01.
const day = 18263

var parseTests = []struct {
	name string
	line string
	want stocks.Bar
	err  string // a part of the error's message; "" for none
}{
	{name: "generated", line: `{"date": "2020-01-02", "open": 61.2473, "high": 62.0911, "low": 60.8830, "close": 61.7002, "volume": 1183554}`,
		want: stocks.Bar{Date: day, Open: 61.2473, High: 62.0911, Low: 60.883, Close: 61.7002, Volume: 1183554}},
	{name: "compact, reordered, CR", line: " {\"volume\":7,\"close\":2,\"low\":1,\"high\":3,\"open\":2.5,\"date\":\"2020-01-02\"}\t\r",
		want: stocks.Bar{Date: day, Open: 2.5, High: 3, Low: 1, Close: 2, Volume: 7}},
	{name: "other keys", line: `{"symbol": "AAPL", "date": "2020-01-02", "adj": 1.5, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0, "x": null, "tags": ["a", {"b": 1}]}`,
		want: stocks.Bar{Date: day, Open: 1, High: 1, Low: 1, Close: 1}},
	{name: "escaped key", line: `{"d\u0061te": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}`,
		want: stocks.Bar{Date: day, Open: 1, High: 1, Low: 1, Close: 1}},
	{name: "keys matched as encoding/json does", line: `{"Date": "2020-01-02", "OPEN": 1, "high": 1, "low": 1, "Close": 1, "volume": 0}`,
		want: stocks.Bar{Date: day, Open: 1, High: 1, Low: 1, Close: 1}},
	{name: "last of a repeated key", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "close": 9, "volume": 0}`,
		want: stocks.Bar{Date: day, Open: 1, High: 1, Low: 1, Close: 9}},
	{name: "volume as a float", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1.5e6}`,
		want: stocks.Bar{Date: day, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1_500_000}},

	{name: "not JSON", line: `date,open,high,low,close`, err: "invalid character"},
	{name: "truncated", line: `{"date": "2020-01-02", "open": 1, "hi`, err: "unexpected end"},
	{name: "trailing text", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0} x`, err: "invalid character"},
	{name: "an array", line: `[1, 2]`, err: "a JSON array: want an object"},
	{name: "missing close", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "volume": 0}`, err: `missing "close"`},
	{name: "null close", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": null, "volume": 0}`, err: `missing "close"`},
	{name: "missing date", line: `{"open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: `missing "date"`},
	{name: "no such day", line: `{"date": "2020-02-30", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: `date "2020-02-30"`},
	{name: "another date format", line: `{"date": "02/01/2020", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: "YYYY-MM-DD"},
	{name: "a number for the date", line: `{"date": 20200102, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: `"date" is a JSON number`},
	{name: "a string for the close", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": "1.5", "volume": 0}`, err: `"close" is a JSON string`},
	{name: "zero close", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 0, "volume": 0}`, err: "prices must be positive"},
	{name: "negative low", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": -1, "close": 1, "volume": 0}`, err: `"low" is -1`},
	{name: "huge price", line: `{"date": "2020-01-02", "open": 1e400, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: "out of range"},
	{name: "fractional volume", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 12.5}`, err: "whole number"},
	{name: "negative volume", line: `{"date": "2020-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": -3}`, err: "whole number"},
	{name: "leading zero", line: `{"date": "2020-01-02", "open": 01, "high": 1, "low": 1, "close": 1, "volume": 0}`, err: "invalid character"},
}

func TestParseLine(t *testing.T) {
	t.Parallel()
	for _, tt := range parseTests {
		got, err := stocks.ParseLine([]byte(tt.line))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: ParseLine(%s): %v", tt.name, tt.line, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: ParseLine(%s) = %+v, %v; want an error containing %q", tt.name, tt.line, got, err, tt.err)
		case got != tt.want:
			t.Errorf("%s: ParseLine(%s) = %+v, want %+v", tt.name, tt.line, got, tt.want)
		}
		// The fast path must agree with encoding/json.
		ref, refErr := stocks.DecodeLine([]byte(tt.line))
		if ref != got || (refErr == nil) != (err == nil) {
			t.Errorf("%s: ParseLine = %+v, %v; encoding/json gives %+v, %v", tt.name, got, err, ref, refErr)
		}
	}
}

// FuzzParseLine checks that the fast scanner parses every line it accepts
// exactly as encoding/json does, and fails where encoding/json does.
func FuzzParseLine(f *testing.F) {
	for _, tt := range parseTests {
		f.Add([]byte(tt.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := stocks.ParseLine(line)
		want, wantErr := stocks.DecodeLine(line)
		if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseLine(%q) = %+v, %v; encoding/json gives %+v, %v", line, got, err, want, wantErr)
		}
	})
}

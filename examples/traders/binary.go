package traders

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Data travels to a cluster's workers (shoal.Put) in a binary form of its
// own: a short header, then every trade as 33 bytes of fixed-width
// little-endian fields. Encoding and decoding it is a loop of copies,
// where the default encoding, a CBOR map per trade keyed by field names,
// costs the driver about 0.6 µs and each worker about 1 µs per trade.

const (
	binaryVersion = 1
	tradeBytes    = 8 + 4 + 4 + 1 + 8 + 8 // Time, Asset, Trader, Side, Qty, Price
)

// ErrBadData wraps every error of Data.UnmarshalBinary.
var ErrBadData = errors.New("traders: bad encoded data")

// MarshalBinary encodes d for shoal.Put on a cluster. It fails only for
// values that do not fit their fixed-width fields, which Generate never
// makes.
func (d Data) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 1+4*binary.MaxVarintLen64+8+len(d.Trades)*tradeBytes)
	b = append(b, binaryVersion)
	for _, v := range []int{d.Config.Assets, d.Config.Traders, d.Config.Trades, d.Informed, len(d.Trades)} {
		if v < 0 {
			return nil, fmt.Errorf("traders: encoding data: negative size %d", v)
		}
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, d.Config.Seed)
	for _, t := range d.Trades {
		if t.Asset < 0 || t.Asset > 1<<31-1 || t.Trader < 0 || t.Trader > 1<<31-1 {
			return nil, fmt.Errorf("traders: encoding data: trade of asset %d, trader %d out of range", t.Asset, t.Trader)
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(t.Time))
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Asset))
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Trader))
		b = append(b, byte(t.Side))
		b = binary.LittleEndian.AppendUint64(b, uint64(t.Qty))
		b = binary.LittleEndian.AppendUint64(b, uint64(t.Price))
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded. It checks the input
// before it allocates: a config that Validate refuses, a trade count that
// is not the config's, a length that is not the trades', or a trade of an
// asset or trader outside the config, or of a side other than Buy and
// Sell, fails with an error wrapping ErrBadData.
func (d *Data) UnmarshalBinary(b []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadData}, args...)...)
	}
	if len(b) == 0 || b[0] != binaryVersion {
		return bad("not version %d", binaryVersion)
	}
	b = b[1:]
	var sizes [5]int
	for i := range sizes {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > maxTrades {
			return bad("bad header")
		}
		sizes[i], b = int(v), b[n:]
	}
	if len(b) < 8 {
		return bad("truncated header")
	}
	cfg := Config{Assets: sizes[0], Traders: sizes[1], Trades: sizes[2], Seed: binary.LittleEndian.Uint64(b)}
	b = b[8:]
	if err := cfg.Validate(); err != nil {
		return bad("%v", err)
	}
	informed, n := sizes[3], sizes[4]
	switch {
	case n != cfg.Assets*cfg.Traders*cfg.Trades:
		return bad("%d trades for a config of %d", n, cfg.Assets*cfg.Traders*cfg.Trades)
	case len(b) != n*tradeBytes:
		return bad("%d bytes for %d trades", len(b), n)
	case informed > cfg.Assets*cfg.Traders:
		return bad("%d informed traders of %d", informed, cfg.Assets*cfg.Traders)
	}
	trades := make([]Trade, n)
	for i := range trades {
		r := b[i*tradeBytes : (i+1)*tradeBytes]
		t := Trade{
			Time:   time.Duration(binary.LittleEndian.Uint64(r)),
			Asset:  int(binary.LittleEndian.Uint32(r[8:])),
			Trader: int(binary.LittleEndian.Uint32(r[12:])),
			Side:   Side(int8(r[16])),
			Qty:    int64(binary.LittleEndian.Uint64(r[17:])),
			Price:  int64(binary.LittleEndian.Uint64(r[25:])),
		}
		switch {
		case t.Asset >= cfg.Assets:
			return bad("trade %d of asset %d in a table of %d", i, t.Asset, cfg.Assets)
		case t.Trader/cfg.Traders != t.Asset:
			return bad("trade %d: trader %d does not trade asset %d", i, t.Trader, t.Asset)
		case t.Side != Buy && t.Side != Sell:
			return bad("trade %d: side %d", i, t.Side)
		}
		trades[i] = t
	}
	*d = Data{Config: cfg, Trades: trades, Informed: informed}
	return nil
}

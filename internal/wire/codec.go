package wire

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Errors from Unmarshal, and from Marshal when a value is too large to send.
// Compare with errors.Is: the returned errors carry detail.
var (
	ErrTooLarge  = errors.New("wire: message too large")
	ErrMalformed = errors.New("wire: malformed message")
)

// Codec encodes Go values as deterministic CBOR and decodes them within its
// [Limits]. It implements remote.Codec.
//
// A Codec is safe for concurrent use and holds no goroutines. The zero
// Codec, like a nil *Codec, uses [DefaultLimits].
type Codec struct {
	limits Limits
	enc    cbor.EncMode
	dec    cbor.DecMode // maps in interface values decode as map[string]any
	decAny cbor.DecMode // fallback: maps in interface values decode as map[any]any
}

// New returns a Codec that enforces l. A zero field of l takes its default
// (see [DefaultLimits]); a negative or out-of-range field is an error.
// New costs a few microseconds; build one Codec and share it.
func New(l Limits) (*Codec, error) {
	l, err := l.withDefaults()
	if err != nil {
		return nil, err
	}
	enc, err := encOptions().EncMode()
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	do := decOptions(l)
	do.DefaultMapType = reflect.TypeFor[map[string]any]()
	dec, err := do.DecMode()
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	do.DefaultMapType = nil
	decAny, err := do.DecMode()
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	return &Codec{limits: l, enc: enc, dec: dec, decAny: decAny}, nil
}

// encOptions is RFC 8949 Core Deterministic Encoding (sorted map keys and
// struct fields, shortest integers and floats, canonical NaN, definite
// lengths) plus the Go-specific choices documented in the package doc.
func encOptions() cbor.EncOptions {
	o := cbor.CoreDetEncOptions()
	o.Time = cbor.TimeRFC3339Nano
	o.TimeTag = cbor.EncTagRequired
	o.TagsMd = cbor.TagsAllowed
	o.NilContainers = cbor.NilContainerAsNull
	o.String = cbor.StringToTextString
	o.ByteArray = cbor.ByteArrayToByteSlice
	o.BinaryMarshaler = cbor.BinaryMarshalerByteString
	o.TextMarshaler = cbor.TextMarshalerTextString
	return o
}

// decOptions mirrors encOptions and adds l.
func decOptions(l Limits) cbor.DecOptions {
	return cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		TimeTag:           cbor.DecTagRequired,
		MaxNestedLevels:   l.MaxDepth,
		MaxArrayElements:  l.MaxArrayElements,
		MaxMapPairs:       l.MaxMapPairs,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsAllowed,
		IntDec:            cbor.IntDecConvertSignedOrBigInt,
		MapKeyByteString:  cbor.MapKeyByteStringAllowed,
		UTF8:              cbor.UTF8DecodeInvalid,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		BigIntDec:         cbor.BigIntDecodePointer,
		BinaryUnmarshaler: cbor.BinaryUnmarshalerByteString,
		TextUnmarshaler:   cbor.TextUnmarshalerTextString,
	}
}

var defaultCodec = sync.OnceValue(func() *Codec {
	c, err := New(Limits{})
	if err != nil {
		panic(err) // the defaults are constants
	}
	return c
})

func (c *Codec) orDefault() *Codec {
	if c == nil || c.enc == nil {
		return defaultCodec()
	}
	return c
}

// Marshal returns the CBOR encoding of v. Equal values give equal bytes:
// map keys and struct fields are sorted, so the result can serve as a
// content address.
//
// Marshal fails for values CBOR cannot carry (channels, functions, complex
// numbers, uintptr), and with an error wrapping [ErrTooLarge] when the encoding is
// beyond c's limits, since the receiving Unmarshal would reject it. A
// panic in a MarshalBinary or MarshalText method comes back as an error.
// Marshal does not detect cycles: a value that refers to itself exhausts
// the stack, as with encoding/gob.
func (c *Codec) Marshal(v any) (data []byte, err error) {
	c = c.orDefault()
	defer func() {
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("wire: panic encoding %T: %v", v, r)
		}
	}()
	if data, ok := marshalNumbers(v); ok {
		if len(data) > c.limits.MaxBytes {
			return nil, fmt.Errorf("%w: %T encodes to %d bytes, limit %d", ErrTooLarge, v, len(data), c.limits.MaxBytes)
		}
		if n := numbersTooMany(v, c.limits.MaxArrayElements); n > 0 {
			return nil, fmt.Errorf("%w: %T with a slice of %d elements, limit %d", ErrTooLarge, v, n, c.limits.MaxArrayElements)
		}
		return data, nil
	}
	data, err = c.enc.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("wire: encoding %T: %v", v, err)
	}
	if len(data) > c.limits.MaxBytes {
		return nil, fmt.Errorf("%w: %T encodes to %d bytes, limit %d", ErrTooLarge, v, len(data), c.limits.MaxBytes)
	}
	// A linear scan without allocations: catches nesting and lengths the
	// receiver would refuse, here, where the cause is known.
	if err := c.dec.Wellformed(data); err != nil {
		if isLimitError(err) {
			return nil, fmt.Errorf("%w: %T: %v", ErrTooLarge, v, err)
		}
		return nil, fmt.Errorf("wire: encoding %T: %v", v, err)
	}
	return data, nil
}

// Unmarshal decodes the CBOR message data into the value v points to,
// which should be a zero value: a map that already holds a key the message
// repeats counts as a duplicate key. A []float64 or []float32 decoded from
// a typed array may share data's memory (see the package doc): do not
// modify data afterwards.
//
// Every failure caused by data is an error wrapping [ErrTooLarge] (data is
// longer than the byte limit; nothing is decoded) or [ErrMalformed]
// (anything else: truncated or trailing bytes, invalid CBOR, nesting or
// lengths over the limits, duplicate map keys, types that do not fit v, an
// error or panic from an UnmarshalBinary or UnmarshalText method). After
// ErrMalformed, *v may be partly filled. A nil or non-pointer v is a
// programming error, reported by a plain error. Unmarshal does not panic.
//
// Maps decoded into interface values become map[string]any; if any of
// them has a key that is not a text string, all maps in interface values
// of that message become map[any]any instead, at the cost of decoding
// twice.
func (c *Codec) Unmarshal(data []byte, v any) (err error) {
	c = c.orDefault()
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("wire: Unmarshal into %T, want a non-nil pointer", v)
	}
	if len(data) > c.limits.MaxBytes {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), c.limits.MaxBytes)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic decoding into %T: %v", ErrMalformed, v, r)
		}
	}()
	if handled, err := c.unmarshalNumbers(data, v); handled {
		return err
	}
	err = c.dec.Unmarshal(data, v)
	if err != nil && mayBeMapKey(err) {
		// The more permissive decoding's error, if any, is the one that
		// tells what is wrong with data.
		fresh := reflect.New(rv.Type().Elem())
		if err = c.decAny.Unmarshal(data, fresh.Interface()); err == nil {
			rv.Elem().Set(fresh.Elem())
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// mayBeMapKey reports whether err may come from a map key that is not a
// text string meeting the map[string]any of an interface value, so that
// decoding with map[any]any could succeed.
func mayBeMapKey(err error) bool {
	var te *cbor.UnmarshalTypeError
	return errors.As(err, &te) && te.GoType == "string"
}

func isLimitError(err error) bool {
	var (
		depth *cbor.MaxNestedLevelError
		elems *cbor.MaxArrayElementsError
		pairs *cbor.MaxMapPairsError
	)
	return errors.As(err, &depth) || errors.As(err, &elems) || errors.As(err, &pairs)
}

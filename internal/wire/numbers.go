package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"
)

// A []float64 or []float32 given to Marshal as the value itself (not
// inside a struct or map; a [][]float64 or [][]float32 is an array of
// them) travels as a typed array of RFC 8746: a tag naming the element type and a byte string of the elements,
// little-endian. Encoding and decoding it is a copy rather than a CBOR item
// per element: a shared dataset of 50M float64 encodes in tens of
// milliseconds instead of seconds, and takes 8 bytes per element on the
// wire, never the 9 of a CBOR float64 (though more than the 3 of a CBOR
// float that shrinks to half precision, such as 0 or 1.5). Integer slices
// stay CBOR arrays, where small integers take a byte.
//
// Unlike a CBOR array of floats, a typed array keeps a NaN's payload bits,
// so two NaN-holding slices that differ only there encode differently.

// RFC 8746 tags of the little-endian typed arrays used here.
const (
	tagFloat32LE = 85
	tagFloat64LE = 86
)

// littleEndian reports whether this machine stores numbers little-endian,
// so that a typed array's bytes are the slice's memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// marshalNumbers returns the typed-array encoding of v, if v is a non-nil
// []float64 or []float32; ok is false for anything else.
func marshalNumbers(v any) (data []byte, ok bool) {
	switch x := v.(type) {
	case []float64:
		return appendNumbers(x, tagFloat64LE, func(b []byte, f float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(f)) }), x != nil
	case []float32:
		return appendNumbers(x, tagFloat32LE, func(b []byte, f float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(f)) }), x != nil
	case [][]float64:
		return appendMatrix(x, tagFloat64LE, func(b []byte, f float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(f)) }), x != nil
	case [][]float32:
		return appendMatrix(x, tagFloat32LE, func(b []byte, f float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(f)) }), x != nil
	}
	return nil, false
}

// appendMatrix encodes x as a CBOR array of typed arrays of tag (null for
// a nil row), in one exactly sized buffer. A nil x returns nil.
func appendMatrix[E any](x [][]E, tag byte, put func([]byte, E)) []byte {
	if x == nil {
		return nil
	}
	var zero E
	size := int(unsafe.Sizeof(zero))
	n := 9
	for _, row := range x {
		n += 2 + 9 + len(row)*size
	}
	b := appendHead(make([]byte, 0, n), 4, uint64(len(x)))
	for _, row := range x {
		if row == nil {
			b = append(b, 0xf6)
			continue
		}
		b = appendNumbersTo(b, row, tag, put)
	}
	return b
}

// appendNumbers encodes x as a typed array of tag in one exactly sized
// buffer. A nil x returns nil: it travels as null, like any nil slice.
func appendNumbers[E any](x []E, tag byte, put func([]byte, E)) []byte {
	if x == nil {
		return nil
	}
	var zero E
	return appendNumbersTo(make([]byte, 0, 2+9+len(x)*int(unsafe.Sizeof(zero))), x, tag, put)
}

// appendNumbersTo appends the typed array of x to b.
func appendNumbersTo[E any](b []byte, x []E, tag byte, put func([]byte, E)) []byte {
	var zero E
	size := int(unsafe.Sizeof(zero))
	n := len(x) * size
	b = append(b, 0xd8, tag) // tag, one-byte form
	b = appendHead(b, 2, uint64(n))
	b = slices.Grow(b, n)
	payload := b[len(b) : len(b)+n]
	b = b[:len(b)+n]
	if littleEndian && n > 0 {
		copy(payload, unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), n))
		return b
	}
	for i, e := range x {
		put(payload[i*size:], e)
	}
	return b
}

// appendHead appends a CBOR head of major type major and argument n, in
// its shortest form as deterministic encoding requires.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

// typedArray returns the tag and payload of data if it is one typed array
// of the tags above and nothing else; ok is false if data is anything
// else, and err tells what is wrong with a typed array that is malformed.
func typedArray(data []byte) (tag byte, payload []byte, ok bool, err error) {
	tag, payload, rest, ok, err := typedArrayAt(data)
	if ok && err == nil && len(rest) != 0 {
		err = fmt.Errorf("typed array (tag %d) followed by %d bytes", tag, len(rest))
	}
	return tag, payload, ok, err
}

// typedArrayAt reads the typed array at the start of data, returning its
// tag, its payload and the bytes after it; ok is false if data does not
// start with one of the tags above.
func typedArrayAt(data []byte) (tag byte, payload, rest []byte, ok bool, err error) {
	if len(data) < 3 || data[0] != 0xd8 {
		return 0, nil, nil, false, nil
	}
	tag = data[1]
	size := 0
	switch tag {
	case tagFloat32LE:
		size = 4
	case tagFloat64LE:
		size = 8
	default:
		return 0, nil, nil, false, nil
	}
	rest = data[2:]
	if rest[0]>>5 != 2 {
		return 0, nil, nil, true, fmt.Errorf("typed array (tag %d) of major type %d, want a byte string", tag, rest[0]>>5)
	}
	n, rest, err := readHead(rest)
	if err != nil {
		return 0, nil, nil, true, fmt.Errorf("typed array (tag %d): %v", tag, err)
	}
	if n > uint64(len(rest)) {
		return 0, nil, nil, true, fmt.Errorf("typed array (tag %d) of %d bytes in a message with %d after its head", tag, n, len(rest))
	}
	if n%uint64(size) != 0 {
		return 0, nil, nil, true, fmt.Errorf("typed array (tag %d) of %d bytes: not a whole number of %d-byte elements", tag, n, size)
	}
	return tag, rest[:n:n], rest[n:], true, nil
}

// readHead reads the argument of the CBOR head at the start of b (its
// major type is the caller's to check) and returns the bytes after it.
func readHead(b []byte) (n uint64, rest []byte, err error) {
	switch ai := b[0] & 0x1f; {
	case ai < 24:
		return uint64(ai), b[1:], nil
	case ai <= 27 && len(b) >= 1+1<<(ai-24):
		w := 1 << (ai - 24)
		var buf [8]byte
		copy(buf[8-w:], b[1:1+w])
		return binary.BigEndian.Uint64(buf[:]), b[1+w:], nil
	}
	return 0, nil, errors.New("bad length")
}

// unmarshalNumbers decodes a typed array into v, if data is one and v
// points to a float slice of its element type or to an interface value;
// handled is false when data is not a typed array, for the general path.
func (c *Codec) unmarshalNumbers(data []byte, v any) (handled bool, err error) {
	if len(data) > 0 && data[0]>>5 == 4 {
		return c.unmarshalMatrix(data, v)
	}
	tag, payload, ok, err := typedArray(data)
	if !ok {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	size := 8
	if tag == tagFloat32LE {
		size = 4
	}
	if n := len(payload) / size; n > c.limits.MaxArrayElements {
		return true, fmt.Errorf("%w: typed array of %d elements, limit %d", ErrMalformed, n, c.limits.MaxArrayElements)
	}
	switch p := v.(type) {
	case *[]float64:
		if tag == tagFloat64LE {
			*p = decodeNumbers(payload, 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
			return true, nil
		}
	case *[]float32:
		if tag == tagFloat32LE {
			*p = decodeNumbers(payload, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
			return true, nil
		}
	default:
		rv := reflect.ValueOf(v).Elem()
		if rv.Kind() == reflect.Interface && rv.NumMethod() == 0 {
			// What a CBOR array of the same numbers decodes to.
			rv.Set(reflect.ValueOf(numbersAsAny(tag, payload)))
			return true, nil
		}
	}
	return true, fmt.Errorf("%w: typed array (tag %d) into %T", ErrMalformed, tag, v)
}

// decodeNumbers returns the elements of payload, size bytes each. On a
// little-endian machine they are payload's own memory when it is aligned
// for them (no copy, no allocation: see PayloadOffset), a copy of it
// otherwise; elsewhere get decodes each.
func decodeNumbers[E any](payload []byte, size int, get func([]byte) E) []E {
	n := len(payload) / size
	if littleEndian && n > 0 && uintptr(unsafe.Pointer(&payload[0]))%uintptr(size) == 0 {
		return unsafe.Slice((*E)(unsafe.Pointer(&payload[0])), n)
	}
	out := make([]E, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), len(payload)), payload)
		return out
	}
	for i := range out {
		out[i] = get(payload[i*size:])
	}
	return out
}

// numbersAsAny returns the elements of a typed array as a []any of
// float64, as a CBOR array of floats decodes into an interface.
func numbersAsAny(tag byte, payload []byte) []any {
	var out []any
	switch tag {
	case tagFloat64LE:
		out = make([]any, len(payload)/8)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(payload[i*8:]))
		}
	case tagFloat32LE:
		out = make([]any, len(payload)/4)
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(payload[i*4:])))
		}
	}
	return out
}

// PayloadOffset reports where the elements of a typed array start in a
// message that begins with prefix (at least its first 11 bytes, or the
// whole message if shorter), and the alignment they need to be decoded in
// place: a reader that places the message so that this offset is aligned
// lets Unmarshal return a slice of the message's own memory. It returns
// 0, 1 for anything but a typed array.
func PayloadOffset(prefix []byte) (offset, align int) {
	if len(prefix) < 3 || prefix[0] != 0xd8 || prefix[1] != tagFloat64LE && prefix[1] != tagFloat32LE || prefix[2]>>5 != 2 {
		return 0, 1
	}
	align = 8
	if prefix[1] == tagFloat32LE {
		align = 4
	}
	switch ai := prefix[2] & 0x1f; {
	case ai < 24:
		return 3, align
	case ai <= 27:
		return 3 + 1<<(ai-24), align
	}
	return 0, 1
}

// unmarshalMatrix decodes a CBOR array of float typed arrays (and nulls)
// into v, if data is one and v points to a [][]float64 or [][]float32 of
// its element type, or to an interface value; handled is false when data
// is an array of anything else, for the general path.
func (c *Codec) unmarshalMatrix(data []byte, v any) (handled bool, err error) {
	rows, rest, err := readHead(data)
	if err != nil {
		return false, nil // the general path says what is wrong
	}
	first := rest
	for len(first) > 0 && first[0] == 0xf6 {
		first = first[1:] // nil rows
	}
	if len(first) < 3 || first[0] != 0xd8 || first[1] != tagFloat64LE && first[1] != tagFloat32LE {
		return false, nil // not an array of typed arrays: empty, all nil, or of other items
	}
	bad := func(format string, args ...any) (bool, error) {
		return true, fmt.Errorf("%w: array of typed arrays: "+format, append([]any{ErrMalformed}, args...)...)
	}
	if rows > uint64(c.limits.MaxArrayElements) || rows > uint64(len(rest)) {
		return bad("%d rows in %d bytes, limit %d", rows, len(rest), c.limits.MaxArrayElements)
	}
	tag := first[1]
	size := 8
	if tag == tagFloat32LE {
		size = 4
	}
	payloads := make([][]byte, rows)
	for i := range payloads {
		if len(rest) > 0 && rest[0] == 0xf6 {
			rest = rest[1:] // a nil row
			continue
		}
		t, p, r, ok, err := typedArrayAt(rest)
		switch {
		case !ok:
			return bad("row %d is not a typed array", i)
		case err != nil:
			return bad("row %d: %v", i, err)
		case t != tag:
			return bad("row %d has tag %d, row 0 tag %d", i, t, tag)
		case len(p)/size > c.limits.MaxArrayElements:
			return bad("row %d of %d elements, limit %d", i, len(p)/size, c.limits.MaxArrayElements)
		}
		if p == nil {
			p = []byte{} // an empty row, not a nil one
		}
		payloads[i], rest = p, r
	}
	if len(rest) != 0 {
		return bad("%d trailing bytes", len(rest))
	}
	switch p := v.(type) {
	case *[][]float64:
		if tag == tagFloat64LE {
			*p = decodeRows(payloads, 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
			return true, nil
		}
	case *[][]float32:
		if tag == tagFloat32LE {
			*p = decodeRows(payloads, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
			return true, nil
		}
	default:
		rv := reflect.ValueOf(v).Elem()
		if rv.Kind() == reflect.Interface && rv.NumMethod() == 0 {
			out := make([]any, len(payloads))
			for i, p := range payloads {
				if p != nil {
					out[i] = numbersAsAny(tag, p)
				}
			}
			rv.Set(reflect.ValueOf(out))
			return true, nil
		}
	}
	return bad("into %T", v)
}

// decodeRows decodes each payload as decodeNumbers does; a nil payload is
// a nil row.
func decodeRows[E any](payloads [][]byte, size int, get func([]byte) E) [][]E {
	out := make([][]E, len(payloads))
	for i, p := range payloads {
		switch {
		case p == nil:
		case len(p) == 0:
			out[i] = []E{}
		default:
			out[i] = decodeNumbers(p, size, get)
		}
	}
	return out
}

// numbersTooMany returns the longest slice of v, a float slice or matrix,
// if it has more than limit elements (rows count for a matrix), or 0.
func numbersTooMany(v any, limit int) int {
	most := 0
	switch x := v.(type) {
	case [][]float64:
		most = len(x)
		for _, row := range x {
			most = max(most, len(row))
		}
	case [][]float32:
		most = len(x)
		for _, row := range x {
			most = max(most, len(row))
		}
	default:
		most = reflect.ValueOf(v).Len()
	}
	if most > limit {
		return most
	}
	return 0
}

package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"unsafe"
)

// A []float64 or []float32 given to Marshal as the value itself (not
// inside a struct, map or other slice) travels as a typed array of RFC
// 8746: a tag naming the element type and a byte string of the elements,
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
	}
	return nil, false
}

// appendNumbers encodes x as a typed array of tag in one exactly sized
// buffer. A nil x returns nil: it travels as null, like any nil slice.
func appendNumbers[E any](x []E, tag byte, put func([]byte, E)) []byte {
	if x == nil {
		return nil
	}
	var zero E
	size := int(unsafe.Sizeof(zero))
	n := len(x) * size
	b := make([]byte, 0, 2+9+n)
	b = append(b, 0xd8, tag) // tag, one-byte form
	b = appendHead(b, 2, uint64(n))
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
	if len(data) < 3 || data[0] != 0xd8 {
		return 0, nil, false, nil
	}
	tag = data[1]
	size := 0
	switch tag {
	case tagFloat32LE:
		size = 4
	case tagFloat64LE:
		size = 8
	default:
		return 0, nil, false, nil
	}
	rest := data[2:]
	if rest[0]>>5 != 2 {
		return 0, nil, true, fmt.Errorf("typed array (tag %d) of major type %d, want a byte string", tag, rest[0]>>5)
	}
	var n uint64
	switch ai := rest[0] & 0x1f; {
	case ai < 24:
		n, rest = uint64(ai), rest[1:]
	case ai <= 27 && len(rest) >= 1+1<<(ai-24):
		w := 1 << (ai - 24)
		var buf [8]byte
		copy(buf[8-w:], rest[1:1+w])
		n, rest = binary.BigEndian.Uint64(buf[:]), rest[1+w:]
	default:
		return 0, nil, true, fmt.Errorf("typed array (tag %d): bad length", tag)
	}
	if n != uint64(len(rest)) {
		return 0, nil, true, fmt.Errorf("typed array (tag %d) of %d bytes in a message with %d after its head", tag, n, len(rest))
	}
	if n%uint64(size) != 0 {
		return 0, nil, true, fmt.Errorf("typed array (tag %d) of %d bytes: not a whole number of %d-byte elements", tag, n, size)
	}
	return tag, rest, true, nil
}

// unmarshalNumbers decodes a typed array into v, if data is one and v
// points to a float slice of its element type or to an interface value;
// handled is false when data is not a typed array, for the general path.
func (c *Codec) unmarshalNumbers(data []byte, v any) (handled bool, err error) {
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

// Package wire is the encoding of task arguments, results and shared values
// between the processes of a shoal cluster: CBOR (RFC 8949), built on
// github.com/fxamacker/cbor/v2, decoded within limits.
//
// # Only data travels
//
// No code crosses the wire. A worker runs only functions compiled into its
// binary and registered by name; a message names one and carries its
// argument as plain data. So wire has no type registry and no way to
// construct arbitrary types by name (unlike pickle or gob's interface
// registration): a message decodes only into the Go type the receiving
// code asks for, and the worst a hostile or corrupt message can do is fail
// the one task it belongs to.
//
// # What is encoded how
//
// Encoding is Core Deterministic (RFC 8949 section 4.2.1): map keys and
// struct fields sorted bytewise, integers and floats in their shortest
// exact form (float64 values that fit float16 or float32 shrink; -0, ±Inf
// and NaN survive, NaN as the canonical quiet NaN 0x7e00 without its
// payload), lengths always definite. Equal values therefore give equal
// bytes, which content addressing relies on.
//
//   - Integers, floats, bools and strings as CBOR's own. Strings are not
//     required to be valid UTF-8, as in Go.
//   - []byte and [N]byte as byte strings.
//   - Slices and arrays as arrays; maps as maps. A nil slice or map encodes
//     as null and decodes as nil; an empty one stays empty.
//   - A []float64 or []float32 that is the whole value (as a shared
//     dataset given to shoal.Put usually is), as an RFC 8746 typed array:
//     tag 86 or 85 and a byte string of the elements, little-endian, so
//     encoding and decoding it is a copy. Such a typed array keeps NaN
//     payloads; it decodes into a slice of its own element type, or into
//     an interface value as a []any of float64. A [][]float64 or
//     [][]float32 that is the whole value is an array of such typed
//     arrays (null for a nil row). Float slices inside other values are
//     arrays, as above. On a little-endian machine, when the
//     elements are aligned in the message (see PayloadOffset), the decoded
//     slice is the message's own memory, not a copy: the message must not
//     be modified afterwards.
//   - Structs as maps keyed by field name (or `cbor:"name"` tag, with
//     omitempty and toarray as in fxamacker/cbor). Unexported fields are
//     not encoded. Field names match case-sensitively; fields the
//     receiver does not know are skipped.
//   - Pointers as the value they point to, nil as null.
//   - time.Time as tag 0 with RFC 3339 text at nanosecond precision, which
//     keeps the instant and the UTC offset; the location's name and the
//     monotonic clock reading are dropped (compare with Time.Equal). The
//     zero Time encodes as null. Times outside years 0 to 9999 encode but
//     do not decode.
//   - big.Int and *big.Int as an integer, or as a bignum (tags 2 and 3)
//     beyond 64 bits.
//   - A type with a MarshalBinary method (encoding.BinaryMarshaler) as a
//     byte string holding its output, decoded by UnmarshalBinary on a
//     pointer to it. This is how shoal.Ref travels: as a field, a slice
//     element, a map value or the top-level value. Failing that, a
//     MarshalText method gives a text string for UnmarshalText. These take
//     precedence over the struct's fields.
//   - Channels, functions, complex numbers and uintptr are not encoded:
//     Marshal fails.
//
// Decoding into an interface value (any) gives int64 for integers
// (*big.Int beyond int64), float64, string, []byte, bool, nil, []any,
// time.Time for tags 0 and 1, and map[string]any for maps, or map[any]any
// for a message in which such a map has keys that are not text strings.
//
// # Limits
//
// A [Codec] carries [Limits] checked before any value is built: the
// message size (64 MiB), the nesting of arrays, maps and tags (32), the
// elements of one array (16M) and the pairs of one map (1M), defaults in
// parentheses. The whole message is checked to be well formed, within
// these limits and without trailing bytes before decoding starts, so an
// array header claiming 2^40 elements costs nothing, and one claiming
// fewer than the limit is believed only as far as the message has a byte
// per element. Duplicate map keys and indefinite lengths are refused.
// Marshal checks the same limits, so an oversized value fails where it is
// sent, with [ErrTooLarge], rather than where it arrives.
//
// # Errors and panics
//
// Unmarshal's errors wrap [ErrTooLarge] or [ErrMalformed], except for
// programming errors (a nil or non-pointer destination). Neither Marshal
// nor Unmarshal panics: a panic in a user's MarshalBinary, UnmarshalBinary,
// MarshalText or UnmarshalText method is returned as an error. A Codec is
// safe for concurrent use and starts no goroutines.
package wire

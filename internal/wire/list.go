package wire

import "encoding/binary"

// ListHeader returns the CBOR head of an array of n items: followed by n
// encoded values, it is the encoding of a slice of them. It lets a list
// be assembled from values that were encoded apart, without decoding them.
func (c *Codec) ListHeader(n int) []byte {
	const array = 4 << 5 // CBOR major type 4
	switch u := uint64(n); {
	case n < 0:
		panic("wire: ListHeader of a negative length")
	case u < 24:
		return []byte{array | byte(u)}
	case u <= 0xff:
		return []byte{array | 24, byte(u)}
	case u <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{array | 25}, uint16(u))
	case u <= 0xffffffff:
		return binary.BigEndian.AppendUint32([]byte{array | 26}, uint32(u))
	default:
		return binary.BigEndian.AppendUint64([]byte{array | 27}, u)
	}
}

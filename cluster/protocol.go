package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The cluster's NATS resources. Tasks go to a work-queue stream read by one
// durable pull consumer shared by all workers; results come back by core
// NATS to the reply subject of the client that sent the task; a cancel is
// broadcast on a core subject; workers and clients heartbeat into
// key-value buckets; shared values and oversized payloads live in an
// object store.
const (
	taskStream    = "SHOAL_TASKS"
	taskSubjects  = "shoal.task.>"
	taskSubject   = "shoal.task.default" // shoal.task.<queue>
	consumerName  = "shoal-workers"
	cancelSubject = "shoal.cancel"
	statusBucket  = "SHOAL_STATUS"
	clientBucket  = "SHOAL_CLIENTS"
	objectBucket  = "SHOAL_OBJECTS"
)

// Message formats. Every message starts with a version byte; integers are
// uvarints, strings and byte strings are a uvarint length and the bytes.
// Decoders trust no length beyond the bytes present, so a corrupt or
// hostile message fails to decode and never allocates more than its size.
const (
	taskVersion   = 1
	resultVersion = 1
	cancelVersion = 1
)

// taskMsg is one message on the task stream: a registered function and its
// encoded arguments (a batch for a chunk of a Map), and what the worker
// needs to run it and answer.
type taskMsg struct {
	ID          uint64 // the call's id, unique per Reply
	Reply       string // the sending client's reply subject
	Name        string
	Fingerprint string
	Signature   string
	MaxDeliver  int           // deliveries after which the worker gives the task up as lost
	Retries     int           // extra attempts of a failing item
	Timeout     time.Duration // per item attempt; 0: none
	Args        [][]byte      // inline arguments, when ArgsObject is empty
	ArgsObject  string        // the object holding the arguments (encodeList), when too large for a message
	Pieces      []piece       // the one argument, assembled by the worker, when set
}

// piece is part of an argument that the worker assembles (see
// remote.Piece): inline data, a kept result or a shared value.
type piece struct {
	Kind pieceKind
	Data []byte // the data, or the object's name
}

type pieceKind byte

const (
	pieceData   pieceKind = iota // inline
	pieceResult                  // a kept result: the object holds encodeItems of one item
	pieceShared                  // a shared value's id (Put)
	pieceObject                  // an object holding the piece's data
)

const (
	taskArgsInObject = 1 // flag: the arguments are in ArgsObject
	taskArgPieces    = 2 // flag: the argument is Pieces
)

// size returns about how many bytes append adds, so that a message takes
// one allocation.
func (t *taskMsg) size() int {
	n := 48 + len(t.Reply) + len(t.Name) + len(t.Fingerprint) + len(t.Signature) + len(t.ArgsObject)
	for _, a := range t.Args {
		n += binary.MaxVarintLen32 + len(a)
	}
	for _, p := range t.Pieces {
		n += 1 + binary.MaxVarintLen32 + len(p.Data)
	}
	return n
}

func (t *taskMsg) append(b []byte) []byte {
	b = append(b, taskVersion)
	b = binary.AppendUvarint(b, t.ID)
	b = appendString(b, t.Reply)
	b = appendString(b, t.Name)
	b = appendString(b, t.Fingerprint)
	b = appendString(b, t.Signature)
	b = binary.AppendUvarint(b, uint64(t.MaxDeliver))
	b = binary.AppendUvarint(b, uint64(t.Retries))
	b = binary.AppendUvarint(b, uint64(t.Timeout))
	if t.ArgsObject != "" {
		b = append(b, taskArgsInObject)
		return appendString(b, t.ArgsObject)
	}
	if t.Pieces != nil {
		b = append(b, taskArgPieces)
		b = binary.AppendUvarint(b, uint64(len(t.Pieces)))
		for _, p := range t.Pieces {
			b = append(b, byte(p.Kind))
			b = appendBytes(b, p.Data)
		}
		return b
	}
	b = append(b, 0)
	return appendList(b, t.Args)
}

func decodeTask(data []byte) (*taskMsg, error) {
	d := decoder{b: data}
	if v := d.byte(); v != taskVersion && d.err == nil {
		return nil, fmt.Errorf("%w: task message version %d, want %d", errMalformed, v, taskVersion)
	}
	t := &taskMsg{
		ID:          d.uvarint(),
		Reply:       d.string(),
		Name:        d.string(),
		Fingerprint: d.string(),
		Signature:   d.string(),
		MaxDeliver:  d.int(),
		Retries:     d.int(),
		Timeout:     time.Duration(d.int()),
	}
	switch flags := d.byte(); {
	case d.err != nil:
	case flags == taskArgsInObject:
		t.ArgsObject = d.string()
	case flags == taskArgPieces:
		t.Pieces = d.pieces()
	case flags == 0:
		t.Args = d.list()
	default:
		d.fail("task flags %#x", flags)
	}
	if err := d.done(); err != nil {
		return nil, fmt.Errorf("task message: %w", err)
	}
	return t, nil
}

// resultMsg is a worker's answer to a task, sent to the task's Reply: a
// result per argument, or an error for the whole call.
type resultMsg struct {
	ID     uint64
	Worker string
	Err    *wireError // the whole call failed
	Items  []item     // one per argument, when Err is nil and Object and Held are empty
	Object string     // the object holding the items (encodeItems), when too large for a message
	// Held, when set, makes the message no answer but a notice: the worker
	// has the call's task in hand, and Held acknowledges its message (see
	// lost.go). It comes before the answer, on the same subject.
	Held string
}

// item is the outcome of one argument: an encoded value, or an error.
type item struct {
	Value []byte
	Err   *wireError
}

// wireError is an error as it crosses the wire: its kind, so the driver can
// restore sentinels, its message, and a panic's stack.
type wireError struct {
	Kind  errKind
	Msg   string
	Stack []byte // for kindPanic
}

const (
	resultItems  = 0
	resultErr    = 1
	resultObject = 2
	resultHeld   = 3
)

// size returns about how many bytes append adds, so that a message takes
// one allocation.
func (r *resultMsg) size() int {
	n := 24 + len(r.Worker) + len(r.Object) + len(r.Held) + r.Err.size()
	for _, it := range r.Items {
		n += 2 + binary.MaxVarintLen32 + len(it.Value) + it.Err.size()
	}
	return n
}

func (r *resultMsg) append(b []byte) []byte {
	b = append(b, resultVersion)
	b = binary.AppendUvarint(b, r.ID)
	b = appendString(b, r.Worker)
	switch {
	case r.Err != nil:
		b = append(b, resultErr)
		return r.Err.append(b)
	case r.Object != "":
		b = append(b, resultObject)
		return appendString(b, r.Object)
	case r.Held != "":
		b = append(b, resultHeld)
		return appendString(b, r.Held)
	}
	b = append(b, resultItems)
	return appendItems(b, r.Items)
}

func decodeResult(data []byte) (*resultMsg, error) {
	d := decoder{b: data}
	if v := d.byte(); v != resultVersion && d.err == nil {
		return nil, fmt.Errorf("%w: result message version %d, want %d", errMalformed, v, resultVersion)
	}
	r := &resultMsg{ID: d.uvarint(), Worker: d.string()}
	switch mode := d.byte(); {
	case d.err != nil:
	case mode == resultErr:
		r.Err = d.wireError()
	case mode == resultObject:
		r.Object = d.string()
	case mode == resultHeld:
		if r.Held = d.string(); r.Held == "" {
			d.fail("held notice without a subject")
		}
	case mode == resultItems:
		r.Items = d.items()
	default:
		d.fail("result mode %d", mode)
	}
	if err := d.done(); err != nil {
		return nil, fmt.Errorf("result message: %w", err)
	}
	return r, nil
}

// size returns about how many bytes append adds; 0 for nil.
func (e *wireError) size() int {
	if e == nil {
		return 0
	}
	return 1 + 2*binary.MaxVarintLen32 + len(e.Msg) + len(e.Stack)
}

func (e *wireError) append(b []byte) []byte {
	b = append(b, byte(e.Kind))
	b = appendString(b, e.Msg)
	return appendBytes(b, e.Stack)
}

func appendItems(b []byte, items []item) []byte {
	b = binary.AppendUvarint(b, uint64(len(items)))
	for _, it := range items {
		if it.Err != nil {
			b = it.Err.append(b)
			continue
		}
		b = append(b, byte(kindOK))
		b = appendBytes(b, it.Value)
	}
	return b
}

// encodeItems and decodeItems are the object-store form of a result's items.
func encodeItems(items []item) []byte { return appendItems(nil, items) }

func decodeItems(data []byte) ([]item, error) {
	d := decoder{b: data}
	items := d.items()
	return items, d.done()
}

// encodeList and decodeList are the object-store form of a task's arguments.
func encodeList(list [][]byte) []byte { return appendList(nil, list) }

func decodeList(data []byte) ([][]byte, error) {
	d := decoder{b: data}
	list := d.list()
	return list, d.done()
}

// cancelMsg asks the workers to stop a call, broadcast on cancelSubject.
type cancelMsg struct {
	Reply string
	ID    uint64
}

func (c cancelMsg) append(b []byte) []byte {
	b = append(b, cancelVersion)
	b = appendString(b, c.Reply)
	return binary.AppendUvarint(b, c.ID)
}

func decodeCancel(data []byte) (cancelMsg, error) {
	d := decoder{b: data}
	if v := d.byte(); v != cancelVersion && d.err == nil {
		return cancelMsg{}, fmt.Errorf("%w: cancel message version %d", errMalformed, v)
	}
	c := cancelMsg{Reply: d.string(), ID: d.uvarint()}
	return c, d.done()
}

var errMalformed = errors.New("cluster: malformed message")

func appendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, list [][]byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, p := range list {
		b = appendBytes(b, p)
	}
	return b
}

// decoder reads the formats above; the first error sticks and later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{errMalformed}, args...)...)
	}
	d.b = nil
}

func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int {
	v := d.uvarint()
	if v > math.MaxInt64 {
		d.fail("integer %d out of range", v)
		return 0
	}
	return int(v)
}

// length reads a length or count and checks that at least min bytes per
// unit remain, so no claim beyond the message is believed.
func (d *decoder) length(min int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64(len(d.b)/min) {
		d.fail("length %d beyond the message", v)
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.length(1)
	if d.err != nil {
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) list() [][]byte {
	n := d.length(1)
	if d.err != nil {
		return nil
	}
	list := make([][]byte, n)
	for i := range list {
		list[i] = d.bytes()
	}
	if d.err != nil {
		return nil
	}
	return list
}

func (d *decoder) pieces() []piece {
	n := d.length(2)
	if d.err != nil {
		return nil
	}
	ps := make([]piece, n)
	for i := range ps {
		if k := pieceKind(d.byte()); k <= pieceObject {
			ps[i] = piece{Kind: k, Data: d.bytes()}
		} else if d.err == nil {
			d.fail("piece kind %d", k)
		}
	}
	if d.err != nil {
		return nil
	}
	return ps
}

func (d *decoder) wireError() *wireError {
	k := errKind(d.byte())
	if d.err == nil && (k == kindOK || k >= kindEnd) {
		d.fail("error kind %d", k)
	}
	return &wireError{Kind: k, Msg: d.string(), Stack: d.bytes()}
}

func (d *decoder) items() []item {
	n := d.length(2)
	if d.err != nil {
		return nil
	}
	items := make([]item, n)
	for i := range items {
		if len(d.b) > 0 && errKind(d.b[0]) == kindOK {
			d.b = d.b[1:]
			items[i].Value = d.bytes()
		} else {
			items[i].Err = d.wireError()
		}
	}
	if d.err != nil {
		return nil
	}
	return items
}

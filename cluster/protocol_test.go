package cluster

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
)

func TestTaskRoundTrip(t *testing.T) {
	for _, in := range []*taskMsg{
		{ID: 1, Reply: "_INBOX.x", Name: "double", Fingerprint: "abc", Signature: "func(context.Context, int) (int, error)",
			MaxDeliver: 3, Retries: 2, Timeout: time.Second, Args: [][]byte{{1}, {}, {2, 3}}},
		{ID: 1 << 60, Reply: "r", Name: "n", MaxDeliver: 1, ArgsObject: "call._INBOX.x.7"},
		{Args: [][]byte{}},
		{ID: 2, Reply: "r", Name: "n", Pieces: []piece{{pieceData, []byte{0x82}}, {pieceResult, []byte("result.w.1")}, {pieceShared, []byte("sha256-x")}}},
		{ID: 3, Pieces: []piece{}},
	} {
		data := in.append(nil)
		if len(data) > in.size() {
			t.Errorf("%+v: %d bytes, more than its size %d", in, len(data), in.size())
		}
		got, err := decodeTask(data)
		if err != nil {
			t.Fatalf("decodeTask(%+v): %v", in, err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Errorf("round trip: got %+v; want %+v", got, in)
		}
	}
}

func TestResultRoundTrip(t *testing.T) {
	for _, in := range []*resultMsg{
		{ID: 9, Worker: "w1", Items: []item{
			{Value: []byte{0x15}},
			{Value: []byte{}},
			{Err: &wireError{Kind: kindError, Msg: "boom", Stack: []byte{}}},
			{Err: &wireError{Kind: kindPanic, Msg: "oops", Stack: []byte("goroutine 1")}},
		}},
		{ID: 2, Worker: "w2", Err: &wireError{Kind: kindLostWorker, Msg: "lost", Stack: []byte{}}},
		{ID: 3, Worker: "w3", Object: "result.w3.x"},
		{ID: 4, Worker: "w4", Held: "$JS.ACK.SHOAL_TASKS.shoal-workers.1.5.5.1700000000000000000.0"},
	} {
		data := in.append(nil)
		if len(data) > in.size() {
			t.Errorf("%+v: %d bytes, more than its size %d", in, len(data), in.size())
		}
		got, err := decodeResult(data)
		if err != nil {
			t.Fatalf("decodeResult(%+v): %v", in, err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Errorf("round trip: got %+v; want %+v", got, in)
		}
	}
	c := cancelMsg{Reply: "_INBOX.y", ID: 77}
	if got, err := decodeCancel(c.append(nil)); err != nil || got != c {
		t.Errorf("cancel round trip: %+v, %v; want %+v", got, err, c)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := (&taskMsg{ID: 1, Reply: "r", Name: "n", Args: [][]byte{{1, 2}}}).append(nil)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"version":   append([]byte{9}, good[1:]...),
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"huge list": {taskVersion, 1, 1, 'r', 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"flags":     append(append([]byte{}, good[:len(good)-4]...), 7),
	} {
		if _, err := decodeTask(data); !errors.Is(err, errMalformed) {
			t.Errorf("%s: err = %v; want errMalformed", name, err)
		}
	}
	if _, err := decodeResult([]byte{resultVersion, 1, 0, resultErr, byte(kindOK), 0, 0}); !errors.Is(err, errMalformed) {
		t.Errorf("result with kind OK as an error: err = %v; want errMalformed", err)
	}
	if _, err := decodeResult([]byte{resultVersion, 1, 0, resultHeld, 0}); !errors.Is(err, errMalformed) {
		t.Errorf("held notice without a subject: err = %v; want errMalformed", err)
	}
}

func TestErrorsOverTheWire(t *testing.T) {
	base := errors.New("base")
	for _, tc := range []struct {
		name string
		err  error
		is   error
		same bool // the driver gets the sentinel itself
	}{
		{"canceled", context.Canceled, context.Canceled, true},
		{"wrapped deadline", &shoal.TaskError{Index: 1, Err: context.DeadlineExceeded}, context.DeadlineExceeded, false},
		{"not registered", shoal.ErrNotRegistered, shoal.ErrNotRegistered, false},
		{"released", shoal.ErrReleased, shoal.ErrReleased, false},
		{"signature", ErrSignature, ErrSignature, false},
		{"plain", base, nil, false},
	} {
		got := fromWire(toWire(tc.err), "w1")
		if got.Error() != tc.err.Error() {
			t.Errorf("%s: message %q; want %q", tc.name, got, tc.err)
		}
		if tc.is != nil && !errors.Is(got, tc.is) {
			t.Errorf("%s: %v is not %v", tc.name, got, tc.is)
		}
		if tc.same && got != tc.is {
			t.Errorf("%s: got %#v; want the sentinel itself", tc.name, got)
		}
		var re *RemoteError
		if !tc.same && (!errors.As(got, &re) || re.Worker != "w1") {
			t.Errorf("%s: got %#v; want a *RemoteError from w1", tc.name, got)
		}
	}
	pe := fromWire(toWire(&shoal.PanicError{Value: 42, Stack: []byte("stack")}), "w1")
	if p, ok := pe.(*shoal.PanicError); !ok || p.Value != "42" || !bytes.Equal(p.Stack, []byte("stack")) {
		t.Errorf("panic: got %#v; want a *PanicError with value \"42\"", pe)
	}
}

func FuzzDecodeTask(f *testing.F) {
	f.Add((&taskMsg{ID: 1, Reply: "r", Name: "n", Args: [][]byte{{1, 2}}}).append(nil))
	f.Add((&taskMsg{ArgsObject: "o"}).append(nil))
	f.Add((&taskMsg{Pieces: []piece{{pieceData, []byte{1}}, {pieceResult, []byte("o")}}}).append(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		tm, err := decodeTask(data)
		if err != nil {
			return
		}
		again, err := decodeTask(tm.append(nil))
		if err != nil || !reflect.DeepEqual(again, tm) {
			t.Fatalf("re-encoding %+v: %+v, %v", tm, again, err)
		}
	})
}

func FuzzDecodeResult(f *testing.F) {
	f.Add((&resultMsg{ID: 1, Worker: "w", Items: []item{{Value: []byte{1}}, {Err: &wireError{Kind: kindPanic, Msg: "x"}}}}).append(nil))
	f.Add((&resultMsg{Err: &wireError{Kind: kindSignature, Msg: "x"}}).append(nil))
	f.Add((&resultMsg{ID: 2, Worker: "w", Held: "$JS.ACK.x"}).append(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeResult(data)
		if err != nil {
			return
		}
		if _, err := decodeResult(r.append(nil)); err != nil {
			t.Fatalf("re-encoding %+v: %v", r, err)
		}
		_, _ = decodeItems(data)
		_, _ = decodeList(data)
		_, _ = decodeCancel(data)
	})
}

package cluster

import (
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/shoal-go/shoal/internal/remote"
)

// TestAnswerCountsOnce: a task that ran twice answers twice; the call
// completes with the first answer only.
func TestAnswerCountsOnce(t *testing.T) {
	b := &backend{pending: map[uint64]*pendingCall{}, cancelled: map[uint64]bool{}}
	var calls int
	var got []remote.Result
	b.pending[7] = &pendingCall{id: 7, name: "f", done: func(res []remote.Result, err error) {
		calls++
		got = res
		if err != nil {
			t.Errorf("done: err = %v", err)
		}
	}}
	first := (&resultMsg{ID: 7, Worker: "w1", Items: []item{{Value: []byte{1}}}}).append(nil)
	second := (&resultMsg{ID: 7, Worker: "w2", Items: []item{{Value: []byte{2}}}}).append(nil)
	b.onResult(&nats.Msg{Data: first})
	b.onResult(&nats.Msg{Data: second})
	b.onResult(&nats.Msg{Data: []byte("junk")})
	if calls != 1 || len(got) != 1 || got[0].Value[0] != 1 {
		t.Fatalf("done called %d times with %v; want once with the first answer", calls, got)
	}
	if len(b.pending) != 0 {
		t.Errorf("%d calls still pending", len(b.pending))
	}
}

package cluster_test

import (
	"testing"

	"github.com/shoal-go/shoal/cluster"
)

func TestAckSeq(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		seq  uint64
		fast bool // read without encoding/json
	}{
		{`{"stream":"SHOAL_TASKS","seq":42}`, 42, true},
		{`{"stream":"SHOAL_TASKS","seq":7,"duplicate":true}`, 7, true},
		{`{"stream":"SHOAL_TASKS","domain":"hub","seq":18446744073709551}`, 18446744073709551, true},
		{`{"stream":"SHOAL_TASKS","seq":0}`, 0, false},
		{`{"stream":"SHOAL_TASKS","seq":}`, 0, false},
		{`{"stream":"SHOAL_TASKS","seq":12`, 0, false},
		{`{"stream":"SHOAL_TASKS","seq":123456789012345678901}`, 0, false},
		{`{"stream":"SHOAL_TASKS","seq":1x}`, 0, false},
		{`{"error":{"code":503,"description":"no space"},"stream":"SHOAL_TASKS","seq":3}`, 0, false},
		{`{"stream":"SHOAL_TASKS","error":{"description":"x"},"seq":3}`, 0, false},
		{`{"seq":3,"stream":"SHOAL_TASKS"}`, 0, false}, // another layout: encoding/json reads it
		{``, 0, false},
	} {
		seq, ok := cluster.AckSeq([]byte(tt.in))
		if ok != tt.fast || seq != tt.seq {
			t.Errorf("ackSeq(%s) = %d, %v; want %d, %v", tt.in, seq, ok, tt.seq, tt.fast)
		}
	}
}

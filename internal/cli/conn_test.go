package cli_test

import (
	"testing"

	"github.com/shoal-go/shoal/internal/cli"
)

// The token file of "shoal up" goes only to servers on this machine.
func TestOnThisMachine(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want bool
	}{
		{"nats://127.0.0.1:4222", true},
		{"nats://localhost:4222", true},
		{"tls://[::1]:4222", true},
		{"nats://0.0.0.0:36123", true},
		{"127.0.0.1:4222", true},
		{"nats://127.0.0.1:4222,nats://127.0.0.1:4223", true},
		{"nats://10.0.0.5:4222", false},
		{"nats://nats.example.com:4222", false},
		{"nats://127.0.0.1:4222,nats://10.0.0.5:4222", false},
		{"nats://user:pw@127.0.0.1.evil.example:4222", false},
	} {
		if got := cli.OnThisMachine(tt.url); got != tt.want {
			t.Errorf("OnThisMachine(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

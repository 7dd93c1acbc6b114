package cluster

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// embedded is the NATS server of a Cluster, in this process: JetStream on,
// its store in a temporary directory removed by shutdown, clients
// authenticated by a token.
type embedded struct {
	ns    *natsserver.Server
	dir   string
	url   string
	token string
}

// startServer starts the embedded server of cfg and waits until it accepts
// connections.
func startServer(cfg *config) (*embedded, error) {
	host, portStr, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen address %q: %w", cfg.listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen address %q: bad port", cfg.listen)
	}
	if port == 0 {
		port = -1 // the server's spelling of "any free port"
	}
	token := cfg.token
	if token == "" {
		if token, err = newToken(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "shoal-nats-")
	if err != nil {
		return nil, fmt.Errorf("cluster: store directory: %w", err)
	}
	opts := &natsserver.Options{
		ServerName:         "shoal",
		Host:               host,
		Port:               port,
		Authorization:      token,
		JetStream:          true,
		StoreDir:           dir,
		JetStreamMaxMemory: cfg.maxMemory,
		JetStreamMaxStore:  cfg.maxStore,
		NoLog:              true,
		NoSigs:             true, // the program owns its signals
	}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: embedded server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		ns.WaitForShutdown()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: embedded server not ready on %s after 10s", cfg.listen)
	}
	return &embedded{ns: ns, dir: dir, url: ns.ClientURL(), token: token}, nil
}

// shutdown stops the server, waits for it, and removes its store.
func (e *embedded) shutdown() error {
	e.ns.Shutdown()
	e.ns.WaitForShutdown()
	if err := os.RemoveAll(e.dir); err != nil {
		return fmt.Errorf("cluster: removing the store: %w", err)
	}
	return nil
}

// newToken returns 32 random bytes from crypto/rand, as URL-safe base64.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cluster: generating a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

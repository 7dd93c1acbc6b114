package deploy_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
	"github.com/shoal-go/shoal/internal/cli"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const natsConf = "nats/nats-server.conf"

// The paths in natsConf that the tests replace with temporary ones.
const (
	confTLSDir   = "/etc/nats/tls"
	confStoreDir = "/var/lib/nats/jetstream"
)

// TestNATSConfigParses checks the shipped configuration with nats-server's
// configuration parser, and the settings deploy/README.md describes.
func TestNATSConfigParses(t *testing.T) {
	t.Setenv("NATS_SERVER_NAME", "nats-1")
	t.Setenv("SHOAL_NATS_TOKEN", "s3cret")
	m, err := conf.ParseFile(natsConf)
	if err != nil {
		t.Fatalf("conf.ParseFile(%s): %v", natsConf, err)
	}
	js := m["jetstream"].(map[string]any)
	cl := m["cluster"].(map[string]any)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"server_name", m["server_name"], "nats-1"},
		{"authorization.token", m["authorization"].(map[string]any)["token"], "s3cret"},
		{"jetstream.store_dir", js["store_dir"], confStoreDir},
		{"jetstream.sync_interval", js["sync_interval"], "always"},
		{"jetstream.max_memory_store", js["max_memory_store"], int64(2 << 30)},
		{"jetstream.max_file_store", js["max_file_store"], int64(64 << 30)},
		{"cluster.name", cl["name"], "shoal"},
		{"number of cluster.routes", len(cl["routes"].([]any)), 3},
		{"tls.cert_file", m["tls"].(map[string]any)["cert_file"], confTLSDir + "/server.pem"},
		{"cluster.tls.verify", cl["tls"].(map[string]any)["verify"], true},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s = %#v, want %#v", natsConf, c.what, c.got, c.want)
		}
	}
}

// certs are a CA and a certificate it signed for 127.0.0.1 and localhost,
// good for servers and clients, as PEM files in a directory laid out like
// confTLSDir.
type certs struct {
	dir  string
	pool *x509.CertPool // trusts the CA
}

func newCerts(t *testing.T) certs {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "shoal test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "nats"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range map[string]*pem.Block{
		"ca.pem":         {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem":     {Type: "CERTIFICATE", Bytes: der},
		"server-key.pem": {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return certs{dir: dir, pool: pool}
}

// localConf writes a copy of natsConf whose certificates and store are
// those of the test.
func localConf(t *testing.T, c certs) string {
	t.Helper()
	b, err := os.ReadFile(natsConf)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{confTLSDir, confStoreDir} {
		if !bytes.Contains(b, []byte(p)) {
			t.Fatalf("%s no longer mentions %s: update the test", natsConf, p)
		}
	}
	b = bytes.ReplaceAll(b, []byte(confTLSDir), []byte(c.dir))
	b = bytes.ReplaceAll(b, []byte(confStoreDir), []byte(t.TempDir()))
	path := filepath.Join(t.TempDir(), "nats-server.conf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freePorts returns n TCP ports free on 127.0.0.1 a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// double is what the test's worker runs.
func double(_ context.Context, x int) (int, error) { return 2 * x, nil }

func init() { shoal.Register(double) }

// TestNATSClusterServesShoal starts the three servers of deploy/README.md
// from natsConf with nats-server's own option processing (unknown keys and
// bad values fail it), with ports, certificates and stores of the test, and
// runs shoal through them as the README says: a driver with Connect, Token,
// TLS and Replicas(3), a worker with Serve, and "shoal status" with
// --token-file and --tls-ca.
func TestNATSClusterServesShoal(t *testing.T) {
	// As the README says to make one: a letter first, or nats-server may
	// read the variable's value as a number, a boolean or a bad one ("-…").
	tok := make([]byte, 24)
	rand.Read(tok)
	token := "shoal" + hex.EncodeToString(tok)
	t.Setenv("SHOAL_NATS_TOKEN", token)
	t.Setenv("NATS_SERVER_NAME", "nats-1")
	c := newCerts(t)
	path := localConf(t, c)

	// The route ports are picked free and then closed, so another process
	// may take one before its server listens: a server that never gets
	// ready sends the three round again with new ports.
	var urls []string
	for attempt := 1; urls == nil; attempt++ {
		urls = startNATSCluster(t, path, token, attempt == 3)
	}
	url := strings.Join(urls, ",")
	if !strings.HasPrefix(url, "tls://") {
		t.Errorf("client URL %s, want tls://", url)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	tlsConfig := &tls.Config{RootCAs: c.pool}
	if _, err := cluster.Connect(ctx, url, cluster.Token("not-"+token), cluster.TLS(tlsConfig)); !errors.Is(err, cluster.ErrAuth) {
		t.Errorf("Connect with a wrong token: err = %v, want cluster.ErrAuth", err)
	}

	// The driver, as in the README. JetStream accepts a replicated stream
	// once the servers have elected a leader.
	start := time.Now()
	var cl *cluster.Client
	for {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		var err error
		cl, err = cluster.Connect(actx, url, cluster.Token(token), cluster.TLS(tlsConfig), cluster.Replicas(3))
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Connect with Replicas(3): %v", err)
		}
		t.Logf("Connect with Replicas(3), the servers still electing their leaders: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("connected after %v", time.Since(start))
	defer cl.Close()
	checkResources(t, ctx, url, token, tlsConfig)

	// A worker, as "shoal worker --replicas 3" runs it.
	wctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- cluster.Serve(wctx, url, cluster.Token(token), cluster.TLS(tlsConfig), cluster.Replicas(3), cluster.Slots(2))
	}()
	got, err := shoal.Submit(ctx, cl, double, 21).Get(ctx)
	if err != nil || got != 42 {
		t.Errorf("double(21) through the three servers = %d, %v; want 42", got, err)
	}

	// "shoal status" with the flags of the README.
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := []string{"status", "--connect", url, "--token-file", tokenFile, "--tls-ca", filepath.Join(c.dir, "ca.pem")}
	cmd := cli.NewCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	if err := cmd.ExecuteContext(ctx); err != nil || !strings.Contains(out.String(), ": 1 worker, 2 slots;") {
		t.Errorf("shoal %q: %v, printed:\n%s\nwant 1 worker of 2 slots", args, err, out.String())
	}

	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve stopped by its context: %v, want nil", err)
	}
}

// checkOptions checks what nats-server made of natsConf.
func checkOptions(t *testing.T, opts *server.Options, token string) {
	t.Helper()
	switch {
	case !opts.JetStream || !opts.SyncAlways:
		t.Errorf("%s: JetStream %v, sync always %v; want both", natsConf, opts.JetStream, opts.SyncAlways)
	case opts.Authorization != token:
		t.Errorf("%s: the token is not $SHOAL_NATS_TOKEN", natsConf)
	case opts.TLSConfig == nil || opts.Cluster.TLSConfig == nil:
		t.Errorf("%s: TLS for clients %v, for routes %v; want both", natsConf, opts.TLSConfig != nil, opts.Cluster.TLSConfig != nil)
	case opts.Cluster.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert:
		t.Errorf("%s: routes do not verify each other's certificates", natsConf)
	case opts.Cluster.Name != "shoal" || len(opts.Routes) != 3:
		t.Errorf("%s: cluster %q with %d routes, want shoal with 3", natsConf, opts.Cluster.Name, len(opts.Routes))
	}
}

// checkResources checks that the cluster's resources are those the README
// lists, with 3 replicas.
func checkResources(t *testing.T, ctx context.Context, url, token string, tlsConfig *tls.Config) {
	t.Helper()
	nc, err := nats.Connect(url, nats.Token(token), nats.Secure(tlsConfig))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		stream  string // the stream behind it
		name    string // as the README names it
		storage jetstream.StorageType
	}{
		{"SHOAL_TASKS", "SHOAL_TASKS", jetstream.MemoryStorage},
		{"KV_SHOAL_STATUS", "SHOAL_STATUS", jetstream.MemoryStorage},
		{"KV_SHOAL_CLIENTS", "SHOAL_CLIENTS", jetstream.MemoryStorage},
		{"OBJ_SHOAL_OBJECTS", "SHOAL_OBJECTS", jetstream.FileStorage},
	} {
		s, err := js.Stream(ctx, want.stream)
		if err != nil {
			t.Errorf("stream %s: %v; the README's table of resources is out of date", want.stream, err)
			continue
		}
		cfg := s.CachedInfo().Config
		if cfg.Replicas != 3 || cfg.Storage != want.storage {
			t.Errorf("stream %s: %d replicas, %v storage; want 3 and %v", want.stream, cfg.Replicas, cfg.Storage, want.storage)
		}
		storage := map[jetstream.StorageType]string{jetstream.MemoryStorage: "memory", jetstream.FileStorage: "file"}[want.storage]
		listed := false
		for line := range strings.Lines(string(readme)) {
			if strings.HasPrefix(line, "| `"+want.name+"` |") && strings.Contains(line, "| "+storage+" |") {
				listed = true
			}
		}
		if !listed {
			t.Errorf("README.md does not list %s with %s storage", want.name, storage)
		}
	}
}

// startNATSCluster starts three servers from the configuration at path,
// routed to each other on free ports, and returns their client URLs; or
// nil, having shut them down, when one does not get ready (last: fail).
func startNATSCluster(t *testing.T, path, token string, last bool) []string {
	t.Helper()
	ports := freePorts(t, 3)
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "tls", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	var (
		urls    []string
		servers []*server.Server
	)
	for i, p := range ports {
		opts, err := server.ProcessConfigFile(path)
		if err != nil {
			t.Fatalf("nats-server rejects %s: %v", natsConf, err)
		}
		if i == 0 {
			checkOptions(t, opts, token)
		}
		opts.ServerName = fmt.Sprintf("nats-%d", i+1)
		opts.Host, opts.Port = "127.0.0.1", -1
		opts.HTTPHost, opts.HTTPPort = "", 0
		opts.Cluster.Host, opts.Cluster.Port = "127.0.0.1", p
		opts.Routes = routes
		opts.StoreDir = t.TempDir()
		opts.NoLog, opts.NoSigs = os.Getenv("DEBUGNATS") == "", true
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("server %d: %v", i+1, err)
		}
		if os.Getenv("DEBUGNATS") != "" {
			s.ConfigureLogger()
		}
		s.Start()
		servers = append(servers, s)
		if !s.ReadyForConnections(20 * time.Second) {
			if last {
				t.Fatalf("server %d not ready after 20s", i+1)
			}
			t.Logf("server %d not ready after 20s (its route port taken?): again with new ports", i+1)
			for _, s := range servers {
				s.Shutdown()
				s.WaitForShutdown()
			}
			return nil
		}
		urls = append(urls, s.ClientURL())
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Shutdown()
			s.WaitForShutdown()
		}
	})
	return urls
}

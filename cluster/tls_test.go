package cluster_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

// TestTLS joins a worker and a client to a NATS server that requires TLS
// and a token.
func TestTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := tlsPair(t)
	ns := runNATS(t, &natsserver.Options{
		Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(),
		Authorization: "secret", TLSConfig: serverTLS, TLSTimeout: 5,
	})
	url := ns.ClientURL()
	ctx := ctxFor(t, 20*time.Second)

	if _, err := cluster.Connect(ctx, url, cluster.Token("secret")); err == nil {
		t.Error("Connect without TLS to a TLS server succeeded")
	}
	if _, err := cluster.Connect(ctx, url, cluster.TLS(clientTLS), cluster.Token("wrong")); !errors.Is(err, cluster.ErrAuth) {
		t.Errorf("Connect with TLS and a wrong token: err = %v; want ErrAuth", err)
	}

	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- cluster.Serve(sctx, url, cluster.TLS(clientTLS), cluster.Token("secret"), cluster.Slots(2))
	}()
	cl, err := cluster.Connect(ctx, url, cluster.TLS(clientTLS), cluster.Token("secret"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := shoal.Map(ctx, cl, []int{1, 2, 3}, square)
	if err != nil || len(got) != 3 || got[2] != 9 {
		t.Errorf("Map over TLS = %v, %v; want [1 4 9]", got, err)
	}
	cl.Close()
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// tlsPair returns a server configuration with a self-signed certificate for
// 127.0.0.1 and a client configuration that trusts it.
func tlsPair(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "shoal test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client
}

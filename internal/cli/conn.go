package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shoal-go/shoal/cluster"
)

// noCreds describes the credentials of a connection without any.
const noCreds = "no credentials"

// connFlags are the flags of the commands that join an existing cluster,
// worker and status: where it is and how to prove the right to join.
type connFlags struct {
	url       string
	tokenFile string
	creds     string
	tlsCA     string
	tlsCert   string
	tlsKey    string
}

// add registers the flags on cmd.
func (c *connFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.url, "connect", "", `the cluster's NATS URL, as "shoal up" prints it, or a comma-separated list of servers (required)`)
	f.StringVar(&c.tokenFile, "token-file", "", `a file holding the cluster's token (default: the file "shoal up" writes, if it exists and the URL is on this machine)`)
	f.StringVar(&c.creds, "creds", "", "a NATS credentials file (user JWT and nkey seed) instead of a token")
	f.StringVar(&c.tlsCA, "tls-ca", "", "PEM file of the certificate authorities that signed the servers' certificates (default: the system's)")
	f.StringVar(&c.tlsCert, "tls-cert", "", "PEM file of a client certificate, for servers that verify clients (with --tls-key)")
	f.StringVar(&c.tlsKey, "tls-key", "", "PEM file of the client certificate's private key (with --tls-cert)")
}

// validate reports a mistake in the flags as a usage error of cmd.
func (c *connFlags) validate(cmd *cobra.Command) error {
	switch {
	case c.url == "":
		return usagef(cmd, `required flag "--connect" not set: the cluster's URL, as "shoal up" prints it`)
	case c.tokenFile != "" && c.creds != "":
		return usagef(cmd, `--token-file and --creds are two ways to authenticate: give one`)
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return usagef(cmd, `--tls-cert and --tls-key go together: give both or neither`)
	}
	return nil
}

// options returns the cluster options that authenticate as the flags say,
// and describes the credentials for error messages ("the token in
// /path"). Without --token-file or --creds it uses the token file of
// "shoal up" if there is one and the URL names this machine (loopback), so
// that the token of a local cluster never goes to another server; and no
// credentials otherwise.
func (c *connFlags) options() (opts []cluster.Option, creds string, err error) {
	switch {
	case c.creds != "":
		if _, err := os.Stat(c.creds); err != nil {
			return nil, "", fmt.Errorf("--creds: %w", err)
		}
		opts = append(opts, cluster.CredsFile(c.creds))
		creds = "the credentials in " + c.creds
	case c.tokenFile != "":
		token, err := readToken(c.tokenFile)
		if err != nil {
			return nil, "", fmt.Errorf("--token-file: %w", err)
		}
		opts = append(opts, cluster.Token(token))
		creds = "the token in " + c.tokenFile
	default:
		path, err := defaultTokenFile()
		if err != nil || !onThisMachine(c.url) {
			creds = noCreds
			break
		}
		token, err := readToken(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			creds = noCreds
		case err != nil:
			return nil, "", err
		default:
			opts = append(opts, cluster.Token(token))
			creds = "the token in " + path
		}
	}
	if c.tlsCA != "" || c.tlsCert != "" {
		cfg, err := c.tlsConfig()
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, cluster.TLS(cfg))
	}
	return opts, creds, nil
}

// onThisMachine reports whether every server of url, a comma-separated
// list, is on loopback or on every interface of this machine (0.0.0.0, as
// "shoal up --listen 0.0.0.0:port" prints it).
func onThisMachine(url string) bool {
	for _, s := range strings.Split(url, ",") {
		s = strings.TrimSpace(s)
		if i := strings.Index(s, "://"); i >= 0 {
			s = s[i+3:]
		}
		if i := strings.LastIndex(s, "@"); i >= 0 {
			s = s[i+1:]
		}
		host, _, err := net.SplitHostPort(s)
		if err != nil {
			host = s
		}
		if host == "localhost" {
			continue
		}
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() && !ip.IsUnspecified() {
			return false
		}
	}
	return true
}

// tlsConfig loads the certificates the TLS flags name.
func (c *connFlags) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tlsCA != "" {
		pem, err := os.ReadFile(c.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca: no PEM certificate in %s", c.tlsCA)
		}
	}
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// joinError is the error of command what ("worker", "status") that could
// not join the cluster with creds: for a refusal of the credentials, a
// hint at the flags that fix it.
func joinError(what, creds string, err error) error {
	if !errors.Is(err, cluster.ErrAuth) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if creds == noCreds {
		return fmt.Errorf("%s: %w (sent no credentials: pass --token-file or --creds)", what, err)
	}
	return fmt.Errorf("%s: %w (sent %s: check --token-file or --creds)", what, err, creds)
}

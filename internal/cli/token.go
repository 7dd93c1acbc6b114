package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// defaultTokenFile returns where "shoal up" writes the cluster's token, and
// where worker and status look for it, unless --token-file says otherwise:
// shoal/token in the user's configuration directory (os.UserConfigDir:
// $XDG_CONFIG_HOME or ~/.config on Linux).
func defaultTokenFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for the token file (%w); use --token-file", err)
	}
	return filepath.Join(dir, "shoal", "token"), nil
}

// writeToken writes token to path, readable by this user only (mode 0600,
// whatever the file's mode was before), creating its directory with mode
// 0700 if needed. It replaces the file atomically, so a reader sees the old
// token or the new one, never a mix.
func writeToken(path, token string) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing the token: %w", err)
	}
	f, err := os.CreateTemp(dir, ".token-*") // mode 0600
	if err != nil {
		return fmt.Errorf("writing the token: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing the token: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // in case of an odd umask or platform
		f.Close()
		return fmt.Errorf("writing the token: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the token: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing the token: %w", err)
	}
	return nil
}

// readToken returns the token in the file at path, without surrounding
// white space.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return token, nil
}

// removeToken removes the token file at path if it still holds token: a
// file another "shoal up" has rewritten since is left alone.
func removeToken(path, token string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(bytes.TrimSpace(b), []byte(token)) {
		return nil
	}
	return os.Remove(path)
}

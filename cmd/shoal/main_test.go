package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// runMain makes this test binary run main, as the shoal command: the tests
// run it so, and so do the workers it starts, which are this binary too.
const runMain = "SHOAL_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMain) == "1" {
		main() // exits
	}
	goleak.VerifyTestMain(m)
}

// shoal returns the command "shoal args...", this test binary running main.
func shoal(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), runMain+"=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// TestUpStatus runs "shoal up" as a program, whose workers are the same
// program: they serve only if main calls cluster.Main first.
func TestUpStatus(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	up := shoal(t, "up", "--workers", "2", "--slots", "1", "--token-file", tokenFile)
	var stderr bytes.Buffer
	up.Stderr = &stderr
	stdout, err := up.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	defer up.Process.Kill()

	r := bufio.NewReader(stdout)
	var header strings.Builder
	for !strings.HasSuffix(header.String(), "Ctrl-C stops the cluster.\n") {
		line, err := r.ReadString('\n')
		header.WriteString(line)
		if err != nil {
			up.Wait()
			t.Fatalf("shoal up exited before the cluster was up (%v):\nstdout:\n%s\nstderr:\n%s", up.ProcessState, header.String(), stderr.String())
		}
	}
	m := regexp.MustCompile(`(?m)^  url: +(\S+)$`).FindStringSubmatch(header.String())
	if m == nil {
		t.Fatalf("shoal up printed no URL:\n%s", header.String())
	}

	out, err := shoal(t, "status", "--connect", m[1], "--token-file", tokenFile).CombinedOutput()
	if err != nil {
		t.Fatalf("shoal status: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^w1 .*\n^w2 `).Match(out) {
		t.Errorf("shoal status lists no w1 and w2:\n%s", out)
	}

	if err := up.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if err := up.Wait(); err != nil {
		t.Errorf("shoal up after Ctrl-C: %v, want exit status 0\nstderr:\n%s", err, stderr.String())
	}
	if !strings.HasSuffix(string(rest), "stopped\n") {
		t.Errorf("shoal up printed after Ctrl-C:\n%s\nwant it to end with \"stopped\"", rest)
	}
}

func TestExitStatus(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"--help"}, 0, ""},
		{[]string{"status"}, 1, "shoal: required flag \"--connect\" not set: the cluster's URL, as \"shoal up\" prints it\nRun 'shoal status --help' for usage.\n"},
		{[]string{"up", "--workers", "0"}, 1, "Run 'shoal up --help' for usage.\n"},
	} {
		cmd := shoal(t, tt.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if got := cmd.ProcessState.ExitCode(); got != tt.status {
			t.Errorf("shoal %q: exit status %d (%v), want %d; stderr:\n%s", tt.args, got, err, tt.status, stderr.String())
		}
		if !strings.HasSuffix(stderr.String(), tt.stderr) {
			t.Errorf("shoal %q: stderr %q, want it to end with %q", tt.args, stderr.String(), tt.stderr)
		}
	}
}

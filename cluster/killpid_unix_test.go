//go:build unix

package cluster_test

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// killPID kills process pid with SIGKILL: no cleanup, as a crash.
func killPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill
	}
	// pid (comm) state ...: the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

//go:build unix && !linux

package cluster

import "syscall"

// procAttr puts a worker in its own process group: a Ctrl-C in the terminal
// reaches the driver, which stops the workers itself.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

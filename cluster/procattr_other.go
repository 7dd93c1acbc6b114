//go:build !linux

package cluster

import (
	"os/exec"
	"syscall"
)

// sysProcAttr: without Pdeathsig outside Linux, a worker notices the
// driver's death by the end of its standard input and the loss of its
// connection.
func sysProcAttr() *syscall.SysProcAttr { return procAttr() }

type spawner struct{}

func newSpawner() *spawner                 { return &spawner{} }
func (*spawner) start(cmd *exec.Cmd) error { return cmd.Start() }
func (*spawner) stop()                     {}

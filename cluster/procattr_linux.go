package cluster

import (
	"os/exec"
	"runtime"
	"syscall"
)

// sysProcAttr puts a worker in its own process group (a Ctrl-C in the
// terminal reaches the driver, which stops the workers itself) and has the
// kernel kill it when the driver dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// spawner starts the worker processes from one goroutine locked to its OS
// thread for the cluster's lifetime. Pdeathsig fires when the thread that
// started the child exits, not the process; Go ends a thread when a goroutine
// locked to it exits, so without this a library goroutine that locked the
// thread later could kill healthy workers.
type spawner struct {
	reqs chan spawnReq
	done chan struct{}
}

type spawnReq struct {
	cmd *exec.Cmd
	err chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for r := range s.reqs {
			r.err <- r.cmd.Start()
		}
	}()
	return s
}

func (s *spawner) start(cmd *exec.Cmd) error {
	r := spawnReq{cmd: cmd, err: make(chan error, 1)}
	s.reqs <- r
	return <-r.err
}

// stop ends the spawner's goroutine, once the workers have exited.
func (s *spawner) stop() {
	close(s.reqs)
	<-s.done
}

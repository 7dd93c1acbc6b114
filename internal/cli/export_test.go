package cli

// Run is Execute with its context, arguments and output given, and no
// signal handling.
var Run = run

// ErrExecWorker is the error of worker --exec.
var ErrExecWorker = errExecWorker

// OnThisMachine reports whether a --connect URL names only this machine.
var OnThisMachine = onThisMachine

package cli

// Run is Execute with its context, arguments and output given, and no
// signal handling.
var Run = run

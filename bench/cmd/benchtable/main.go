// Command benchtable runs the comparison benchmarks of the bench module
// and writes BENCHMARKS.md at the root of the repository: one table per
// benchmark, with shoal and its peers side by side, the targets and whether
// they are met, the machine, and the commands that produced it.
//
// Run it from the repository root with
//
//	cd bench && go run ./cmd/benchtable
//
// It takes five to ten minutes on two cores, about two of them in the
// cluster benchmarks. Before each go test command it
// waits up to -idle-wait (a minute) for other processes to leave the CPUs
// idle, since parallel speedups mean little on a busy machine; the report
// says how busy the machine was while each benchmark ran. -count sets the
// runs per benchmark (5), -o the file to write (../BENCHMARKS.md), and
// -quick runs everything once, briefly, to try the tool. -bench Cluster runs
// only the cluster benchmarks, into a file whose other sections are empty:
// write it elsewhere with -o and copy its Cluster sections into
// BENCHMARKS.md.
//
// The file's hand-written part — everything from the line
// benchtable.HandWritten on — is kept as it is when the rest is rewritten.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"time"

	"github.com/shoal-go/shoal/bench/internal/benchtable"
)

func main() {
	out := flag.String("o", "../BENCHMARKS.md", "the Markdown file to write")
	count := flag.Int("count", 5, "runs of each benchmark (go test -count)")
	quick := flag.Bool("quick", false, "run every benchmark once, briefly, to try the tool (the figures mean little)")
	idle := flag.Duration("idle-wait", time.Minute, "before each go test command, wait up to this long for other processes to leave the CPUs idle (0: don't wait)")
	only := flag.String("bench", "", "run only the benchmark functions this regular expression matches, such as Cluster (the other sections say they have no figures)")
	flag.Parse()
	var filter *regexp.Regexp
	if *only != "" {
		var err error
		if filter, err = regexp.Compile(*only); err != nil {
			fatal(fmt.Errorf("-bench: %w", err))
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	command := "cd bench && go run ./cmd/benchtable"
	for _, a := range os.Args[1:] {
		command += " " + a
	}
	err = benchtable.Main(ctx, benchtable.Config{
		Dir:      dir,
		Out:      filepath.Clean(*out),
		Count:    *count,
		Quick:    *quick,
		IdleWait: *idle,
		Only:     filter,
		Command:  command,
		Log:      os.Stderr,
	})
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchtable:", err)
	os.Exit(1)
}

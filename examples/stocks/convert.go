package stocks

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// ConvertJob is the argument of ConvertFile: a JSON-lines file to read and
// the Parquet file to write.
type ConvertJob struct {
	Src string // path of a .jsonl file
	Dst string // path of the .parquet file to write
}

// The functions that Convert and Correlate map are registered, so that the
// stages run the same on a pool and on a cluster, where functions travel
// by name.
func init() {
	shoal.Register(ConvertFile, shoal.Name("stocks.ConvertFile"))
	shoal.Register(LoadSeries, shoal.Name("stocks.LoadSeries"))
	shoal.Register(Standardise, shoal.Name("stocks.Standardise"))
	shoal.Register(CorrelatePairs, shoal.Name("stocks.CorrelatePairs"))
}

// ConvertFile converts one JSON-lines file to Parquet (the body of
// Convert's map): it parses j.Src (see Convert for the format) and writes
// its bars, in date order, to j.Dst as rows of Bar, Snappy-compressed. It
// returns j.Dst.
//
// A malformed line fails with a *LineError naming j.Src and the line. The
// output is written whole or not at all: into a temporary file beside
// j.Dst, renamed to j.Dst once complete, so that a failure or a
// cancellation leaves neither a partial j.Dst nor a temporary file. If ctx
// is done, ConvertFile returns ctx's error within a few thousand lines.
func ConvertFile(ctx context.Context, j ConvertJob) (string, error) {
	s := scratches.Get().(*scratch)
	defer scratches.Put(s)
	var err error
	if s.data, err = readFile(j.Src, s.data[:0]); err != nil {
		return "", err
	}
	bars, err := readBars(ctx, j.Src, s.data, s)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	err = writeFile(j.Dst, func(w *bufio.Writer) error {
		pw := parquet.NewGenericWriter[Bar](w, parquet.Compression(&parquet.Snappy))
		if _, err := pw.Write(bars); err != nil {
			return err
		}
		return pw.Close()
	})
	if err != nil {
		return "", fmt.Errorf("stocks: writing %s: %w", j.Dst, err)
	}
	return j.Dst, nil
}

// Convert converts every JSON-lines file of inDir (every file named
// *.jsonl; a symbol's file is <SYMBOL>.jsonl) to a Parquet file of outDir
// (<SYMBOL>.parquet), creating outDir if needed, with a shoal.Map of
// ConvertFile over the files on ex. The map gets shoal.Progress("convert")
// and shoal.ChunkSize(1), and then opts. It returns the paths written, in
// the alphabetical order of the symbols.
//
// Each line of a file is a JSON object with the keys "date" (a
// "YYYY-MM-DD" string), "open", "high", "low", "close" (positive numbers)
// and "volume" (a whole number, at least 0); other keys are ignored and
// blank lines skipped. Lines may come in any order, but no date twice.
//
// Convert blocks until every started file is done. The first failure
// cancels the rest and is returned as a *shoal.TaskError wrapping the
// file's error (a *LineError for a malformed line); files already
// converted stay, and no file is ever left partly written. If inDir has no
// .jsonl file, the error wraps ErrNoData. If ctx is done first, Convert
// returns ctx's error promptly. An invalid option returns an error
// wrapping shoal.ErrInvalidOption; a nil ex panics.
func Convert(ctx context.Context, ex shoal.Executor, inDir, outDir string, opts ...shoal.Option) ([]string, error) {
	jobs, err := convertJobs(inDir, outDir)
	if err != nil {
		return nil, err
	}
	// A file takes milliseconds: claimed one at a time, the last ones
	// spread over every worker.
	all := append([]shoal.Option{shoal.Progress("convert"), shoal.ChunkSize(1)}, opts...)
	return shoal.Map(ctx, ex, jobs, ConvertFile, all...)
}

// ConvertSequential is Convert with a plain loop on the calling goroutine:
// the same files, the same errors (a failing file's error is returned as
// it is, not in a *shoal.TaskError). It draws a progress bar,
// "sequential convert".
func ConvertSequential(ctx context.Context, inDir, outDir string) ([]string, error) {
	jobs, err := convertJobs(inDir, outDir)
	if err != nil {
		return nil, err
	}
	bar := progress.Start("sequential convert", len(jobs), nil)
	defer bar.Finish()
	out := make([]string, len(jobs))
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if out[i], err = ConvertFile(ctx, j); err != nil {
			return nil, err
		}
		bar.Add(1)
	}
	return out, nil
}

// scratch is the memory a conversion reuses from the previous one on the
// same P, so that converting many files allocates little: it keeps the
// garbage collector, which would compete with the conversions for the
// cores, nearly idle.
type scratch struct {
	data  []byte // the file's contents
	bars  []Bar
	lines []int32
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// convertJobs lists inDir's .jsonl files and creates outDir.
func convertJobs(inDir, outDir string) ([]ConvertJob, error) {
	src, err := list(inDir, ".jsonl")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("stocks: %w", err)
	}
	jobs := make([]ConvertJob, len(src))
	for i, s := range src {
		jobs[i] = ConvertJob{Src: s, Dst: filepath.Join(outDir, symbolOf(s)+".parquet")}
	}
	return jobs, nil
}

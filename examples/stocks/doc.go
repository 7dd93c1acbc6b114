// Package stocks is the workload of shoal's seed question 003: daily stock
// data as JSON-lines files, one per symbol, converted to Parquet in
// parallel; then the correlation of every pair of symbols, in parallel; the
// most correlated pair; and a plot of it.
//
// The Python original converts JSON files to HDF5 with a ThreadPoolExecutor,
// loads every close series, computes series[a].corr(series[b]) in a double
// loop, keeps the maximum and plots the two series. Here each stage is
// written twice: once with shoal.Map on an executor ([Convert],
// [Correlate], and [RunAll] for the whole), once with plain loops
// ([ConvertSequential], [CorrelateSequential], [SequentialAll]). Both give
// the same answer, bit for bit.
//
// # The data
//
// A symbol's file is <SYMBOL>.jsonl, a line per trading day:
//
//	{"date": "2019-03-04", "open": 61.2473, "high": 62.0911, "low": 60.8830, "close": 61.7002, "volume": 1183554}
//
// [Generate] writes such a directory deterministically from a [GenConfig]
// (geometric random walks driven by a market factor and sector factors, one
// planted pair sharing a private factor, late starts, early ends and missing
// days); the stages run as well on any existing directory of such files. A
// malformed line fails with a [*LineError], whose message starts with the
// file and the line ("AAPL.jsonl:17: missing \"close\"").
//
// # The stages
//
//  1. [Convert] maps [ConvertFile] over the .jsonl files: each becomes a
//     Parquet file of [Bar] rows (Snappy-compressed, with
//     github.com/parquet-go/parquet-go).
//  2. [Correlate] maps [LoadSeries] over the .parquet files, reading only
//     the date and close columns; builds the calendar of all their dates;
//     maps [Standardise] over the series, computing each symbol's daily log
//     returns on the calendar and standardising them, once, into a [Row];
//     and maps [CorrelatePairs] over ranges of the pairs, with the rows
//     shared through shoal.Put: one dot product per pair, plus O(1)
//     corrections for the dates one of the two lacks. A pair's correlation
//     uses the daily returns both symbols have, so series of different
//     lengths, or with missing days, are aligned on their common dates.
//     [CorrelateArray] computes the same with package array instead of
//     the third map: the sums every pair needs are four chunked matrix
//     products (array.MatMul) of the standardised returns and of the
//     mask of the dates each symbol has.
//  3. [Plot] draws the two closes of the winning pair, each divided by its
//     close on their first common date, into a PNG (gonum.org/v1/plot).
//
// # Files
//
// Every file this package writes (the generated .jsonl files, the .parquet
// files, the plot) is written whole or not at all: into a hidden temporary
// file in the same directory, renamed into place once complete. A failure
// or a cancellation leaves neither a partial file nor a temporary one. An
// older file of the same name is removed just before the rename (renaming
// over it would make ext4 write the new file to disk at once, several
// times slower), so a reader may briefly find no file, never a partial
// one. The files are not synced to disk, so a crash of the machine, unlike
// one of the program, may lose them.
//
// # Concurrency and clusters
//
// The package starts no goroutines of its own: the stages run on the
// executor given to them and return once all their work has stopped. The
// functions they map ([ConvertFile], [LoadSeries], [Standardise],
// [CorrelatePairs]) are top-level functions registered with shoal.Register
// under the names "stocks.ConvertFile", "stocks.LoadSeries",
// "stocks.Standardise" and "stocks.CorrelatePairs", and their arguments
// and results are plain data, so the stages run unchanged on a cluster
// executor. There, each worker reads and writes the
// files at the paths it is given: the directories must be on a file system
// the workers share (one machine's, for a cluster started on it).
//
// The stages and their sequential versions draw progress bars through the
// progress package, on standard error unless progress.SetOutput or
// progress.Configure says otherwise.
package stocks

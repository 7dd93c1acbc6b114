package stocks

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrNoData reports a directory without any file of the kind asked for.
var ErrNoData = errors.New("stocks: no data")

// writeFile writes path whole or not at all: write fills a temporary file
// in path's directory (named ".<name>.<random>.tmp", which no listing here
// picks up), and the file is renamed to path only once write returned nil
// and every byte is flushed and closed. On any failure the temporary file
// is removed and path is untouched.
//
// A file already at path is removed just before the rename, rather than
// replaced by it: renaming over a file makes ext4 write the new one to disk
// there and then (its auto_da_alloc heuristic, for programs that do not
// sync), which costs milliseconds a file and serialises parallel writers.
// So for an instant there is no file at path; there is never a partial
// one. The file is not synced to disk: a crash of the machine, unlike a
// failure of the program, may still lose it.
func writeFile(path string, write func(*bufio.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(f)
	defer func() {
		bw.Reset(nil)
		writers.Put(bw)
	}()
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		return err
	}
	closed = true
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, path)
}

// writers holds the buffers of writeFile.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// readFile appends the contents of the file at path to buf and returns
// the result, as os.ReadFile does into a new slice.
func readFile(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < 1<<40 {
		buf = slices.Grow(buf, int(st.Size())+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 4096)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// list returns the paths of dir's regular files named *<ext>, in the
// alphabetical order of their symbols, skipping hidden ones (such as
// writeFile's temporary files). It fails, wrapping ErrNoData, if there is
// none.
func list(dir, ext string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("stocks: %w", err)
	}
	var paths []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ext) || len(name) == len(ext) || name[0] == '.' || !e.Type().IsRegular() {
			continue
		}
		paths = append(paths, filepath.Join(dir, name))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no %s files in %s", ErrNoData, ext, dir)
	}
	// Not the names' order: "A-B.jsonl" sorts before "A.jsonl".
	slices.SortFunc(paths, func(a, b string) int { return strings.Compare(symbolOf(a), symbolOf(b)) })
	return paths, nil
}

// symbolOf returns the symbol a file is named after: its name without the
// extension.
func symbolOf(path string) string {
	name := filepath.Base(path)
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// Dates are days since 1970-01-01, the Parquet DATE type.

// dateTime returns the midnight, UTC, of date d.
func dateTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// appendDate appends d as YYYY-MM-DD.
func appendDate(b []byte, d int32) []byte { return dateTime(d).AppendFormat(b, time.DateOnly) }

// formatDate returns d as YYYY-MM-DD.
func formatDate(d int32) string { return string(appendDate(nil, d)) }

// parseDate parses a YYYY-MM-DD date of a real day of years 1000 to 9999.
func parseDate(s []byte) (int32, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = 10*n + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // February 30th and the like roll over
		return 0, false
	}
	return int32(t.Unix() / 86400), true
}

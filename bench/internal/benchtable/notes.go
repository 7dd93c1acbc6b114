package benchtable

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// HandWritten marks where a report's hand-written part begins: notes on
// the figures, and sections of measurements no benchmark here produces.
// Main keeps the line, and everything after it, when it rewrites the file.
const HandWritten = "<!-- benchtable keeps this line and everything below it when it rewrites the file -->"

// handWritten returns the part of the file at path from the HandWritten
// line on, or "" when there is no such file or line.
func handWritten(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s := string(b)
	for i := 0; i < len(s); {
		line, _, _ := strings.Cut(s[i:], "\n")
		if strings.TrimSpace(line) == HandWritten {
			return s[i:], nil
		}
		i += len(line) + 1
	}
	return "", nil
}

// withHandWritten joins a generated report and the hand-written part of
// the file it replaces.
func withHandWritten(report, kept string) string {
	if kept == "" {
		return report
	}
	return strings.TrimRight(report, "\n") + "\n\n" + kept
}

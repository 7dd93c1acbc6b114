package progress

import "time"

// FormatLine returns the plain-mode line for a bar, without its newline.
func FormatLine(path string, done, total int64, elapsed time.Duration, final bool) string {
	return string(appendLine(nil, path, done, total, elapsed, final))
}

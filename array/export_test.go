package array

// TaskRuns returns how many chunk tasks this process has run.
func TaskRuns() int64 { return taskRuns.Load() }

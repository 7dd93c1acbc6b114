package array

// TaskRuns returns how many chunk tasks this process has run.
func TaskRuns() int64 { return taskRuns.Load() }

// SharedChunks returns how many computed chunks stayed on a cluster as
// Refs, for the Computes of this process.
func SharedChunks() int64 { return sharedChunks.Load() }

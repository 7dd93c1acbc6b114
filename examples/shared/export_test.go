package shared

// SetTaskHook makes every Apply call f with its statistic and the data it
// got from its Ref, and call the function f returns when the statistic is
// done, until restore is called.
func SetTaskHook(f func(Stat, []float64) (done func())) (restore func()) {
	taskHook.Store(&f)
	return func() { taskHook.Store(nil) }
}

// Package shared is the workload of shoal's seed question 004: one big
// read-only dataset, shared by many different functions that run on it in
// parallel, five at a time.
//
// [Generate] builds the dataset from a [Config]: N float64 values, a
// deterministic series of daily-return-like numbers (an AR(1) process with
// a small drift). [Run] puts it once with [shoal.Put] and runs a
// [shoal.Map] of the registered function [Apply] over the names of 16
// statistics ([Stats]), with shoal.Limit([AtOnce]): each task gets the
// shared data through its [shoal.Ref] and returns one number. The
// statistics are real ones, each its own pass or two over the data: sum,
// mean, variance, skewness, kurtosis, min, max, the count above the mean,
// L1 and L2 norms, total variation, zero crossings, the longest rise, the
// maximum drawdown of the cumulative series, the best contiguous sum and
// the lag-1 autocorrelation. [Sequential] computes the same statistics
// with a plain loop, with the same code, so the two agree exactly.
//
// # Memory
//
// On a pool the Ref holds the slice itself: every task reads the one
// backing array that Generate filled, nothing is copied, and no statistic
// allocates more than a few words, so the process needs little more than
// the dataset (8 bytes × N) at its peak. On a cluster the value is encoded
// and stored once, and each worker process fetches and decodes one copy,
// which its tasks then share.
//
// # Concurrency
//
// Run starts no goroutines of its own: the statistics run on the executor
// given to it, and Run returns once all of them have stopped. The data
// must not be modified while RunData or SequentialData runs. Every
// statistic looks at its context every 65,536 values, so cancelling
// returns within a fraction of a millisecond. Run and Sequential draw
// progress bars through the progress package, on standard error unless
// progress.SetOutput or progress.Configure says otherwise.
package shared

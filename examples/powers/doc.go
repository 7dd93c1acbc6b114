// Package powers is the workload of shoal's seed question 001: the mean of
// x^p over millions of pseudo-random normal values x, for p in 1, 2, 12
// and 15, one power per process in the Python original.
//
// # The values
//
// The N values are generated in chunks of Config.Chunk values, chunk i from
// its own PCG generator seeded with (Config.Seed, i), with
// rand.Rand.NormFloat64. So the values are a function of the Config alone:
// every chunk can be generated where it is summed, by any task on any
// executor, and nothing of size N is ever stored or sent.
//
// # The parallel version
//
// [Run] is a [shoal.Map] of the registered function [SumChunk] over the
// chunks: each task generates its chunk and returns the sums of x^p over
// it for every power at once, so each value is drawn once, not once per
// power. The partial sums are then added in chunk order and divided by N.
// [Sequential] runs the same chunks in a loop and adds them in the same
// order, so Run and Sequential return bit-identical means on any executor,
// however Map schedules the chunks.
//
// For normal x, E[x^p] is 0 for odd p and (p-1)!! for even p: 1 for p = 2
// and 10395 for p = 12. [Theory] gives it, and the Result carries it beside
// each mean; high powers converge slowly, so the sample means of x^12 and
// x^15 stray far from it even over 10 million values.
//
// # Concurrency
//
// Run starts no goroutines of its own: the chunks run on the executor
// given to it, and Run returns once all of them have stopped. Run and
// Sequential draw progress bars through the progress package, on standard
// error unless progress.SetOutput or progress.Configure says otherwise.
package powers

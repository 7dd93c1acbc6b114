// Package sleepfarm is the workload of shoal's seed question 002: ten
// tasks that each sleep for a second, farmed out to four workers, each
// reporting who ran it.
//
// The Python original submits who(1) ten times to a ProcessPoolExecutor of
// four processes and gets back ten pids, four distinct ones, in about three
// seconds: ceil(10/4) = 3 rounds of one second. [Run] is that program on a
// [shoal.Executor]: a [shoal.Map] of the registered function [Who] over ten
// [Job]s. Its answer expects the executor to run four tasks at once, as
// shoal.NewPool(shoal.Workers(4)) does (see [Slots]); on n slots the wall
// time is about ceil(Tasks/n) × Sleep and n workers show up.
//
// # Who ran a task
//
// A [Worker] is a host, a process id and a lane. On a cluster every worker
// process has its own pid, as in the Python original. On a pool all tasks
// share one process, and shoal does not tell a task which of the pool's
// slots runs it, so the package counts lanes instead: a task entering [Who]
// takes the lowest lane that no other running task of the same run holds
// in its process, and gives it back when it returns. A task running
// alongside k others therefore holds one of lanes 0 to k, and a run on four
// slots shows lanes 0 to 3: the lanes are the distinct places the work ran
// at once, not the pool's own slot numbers.
//
// # Concurrency
//
// Run starts no goroutines of its own: the tasks run on the executor given
// to it, and Run returns once all of them have stopped. The sleeps watch
// their context, so cancelling Run's context ends them at once. Run and
// Sequential draw progress bars through the progress package, on standard
// error unless progress.SetOutput or progress.Configure says otherwise.
package sleepfarm

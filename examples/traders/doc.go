// Package traders is the workload of shoal's seed question 000: a table of
// trader transactions, a loop over assets, a loop over each asset's traders
// inside it, a list of the "smart" traders collected from both, and an
// analysis of that list once all of it is done.
//
// The Python original filters a DataFrame per asset, runs some calculations,
// loops over the asset's traders appending the successful ones to a list,
// and asks how to parallelise both loops. Here the same program is written
// twice: [Sequential] with plain loops, and [Run] with a [shoal.Map] over the
// assets and, inside each asset's task, a nested shoal.Map over its traders
// on the same executor (through [shoal.From]). Both give exactly the same
// [Result].
//
// # The data
//
// [Generate] builds a deterministic table from a [Config]: for each asset a
// random-walk price tape, each tick a trade by one of the asset's traders;
// the table holds every asset's trades interleaved in time order, as a
// market-wide transaction log would. A few traders per asset are generated
// with an edge: they often trade in the direction the price is about to
// move. Everyone else trades at random.
//
// # What makes a trader smart
//
// A trader is smart when the realised profit of their trades, matched
// first-in first-out (FIFO) into round trips, long or short, is positive,
// and their timing is unlikely to be luck: their trades' timing score (each
// trade's side × quantity × the price move that follows it) is beaten or
// matched by at most a share [Alpha] of [Shuffles] random reassignments of
// their buy and sell sides to the same trades. The shuffles are the
// per-trader CPU work, about a millisecond per trader at the demo's default
// size, so the parallel version has something to gain. Each trader's
// shuffles are seeded from the table's seed and the trader's id, so the
// answer does not depend on scheduling.
//
// # On a cluster
//
// Run is the same program on a cluster (package cluster): the table goes
// to the workers once, through shoal.Put, and the nested maps run on them.
// Data has a binary form (MarshalBinary) that the cluster's codec uses, 33
// bytes a trade copied field by field, so that sharing the default table
// of 200,000 trades costs milliseconds rather than the few hundred a CBOR
// map per trade would. On a busy cluster a task's nested map over its
// traders runs in the task's own slot, as on a pool.
//
// # Concurrency
//
// Run only reads the Data, which must not be modified while it runs. It
// starts no goroutines of its own: the work runs on the executor given to
// it, and Run returns once all of it has stopped. Run and Sequential draw
// progress bars through the progress package, on standard error unless
// progress.SetOutput or progress.Configure says otherwise.
package traders

// Package array provides lazy, chunked float64 arrays of one and two
// dimensions that compute in parallel on a shoal executor — a pool or a
// cluster — like dask.array does for NumPy.
//
// Seed 001's dask line
//
//	da.random.normal(size=(1000, 1000), chunks=(100, 100)).mean(axis=0).compute()
//
// is, in Go,
//
//	m := array.RandomNormal(seed, 0, 1, []int{1000, 1000}, []int{100, 100}).Mean(0)
//	res, err := m.Compute(ctx, pool, shoal.Progress("mean"))
//	// res.Shape is [1000], res.Data the 1000 means
//
// # Arrays, chunks and laziness
//
// An *Array is a recipe: a constructor (FromSlice, Zeros, Ones, Full,
// Arange, RandomNormal, RandomUniform) followed by operations —
// elementwise (Add, Sub, Mul, Div, Scale, Pow, Sqrt, Exp, Log, Apply),
// reductions (Sum, Mean, Var, Std, Min, Max, over all elements or one
// axis), and MatMul, Transpose, Slice and Rechunk. Nothing runs until
// Compute (or Dense, or Scalar); Graph and DOT show what would run.
// Arrays are immutable and safe to share between goroutines.
//
// Every array is split into chunks: constructors take one chunk length per
// dimension, and the last chunk along a dimension is shorter when the
// length does not divide the array's. Each chunk is computed by one task,
// so chunks should be large enough to be worth a task (a few hundred
// thousand elements; 1000×1000 is a good size) and small enough that
// there are several per worker. Elementwise operands must have the same
// shape and chunks (ErrShape, ErrChunks); Rechunk one to match.
//
// Shapes are []int: {n} for a vector, {rows, columns} for a matrix, and
// {} for a scalar, which full reductions return. There is no
// broadcasting: Scale multiplies by a number.
//
// # Fusion
//
// Before it runs, Compute fuses each chain of elementwise operations,
// with the generators and FromSlice arrays it starts from, into one task
// per chunk: a small program the task evaluates in blocks of a few
// hundred elements that stay in the core's cache, so the chain is one
// pass over memory and no intermediate chunk is ever allocated. A
// reduction fuses with the chain below it: its tasks compute their
// chunks block by block and fold each block into a partial at once, so
// RandomNormal(...).Mean() never holds a chunk of normals, let alone the
// array; a full Sum or Mean also runs the last operations of its chain
// inside its summing loop (up to two binary ones and a square root), so
// that they overlap with reading their inputs. Slices of generated or elementwise arrays fuse too (only the
// sliced elements are computed), as does Rechunk of a generated array.
// Operations that need whole chunks of their input — MatMul, Transpose,
// Rechunk of a computed array, and a reduction used as the input of
// another operation — compute that input first, as a separate stage.
// Stages that do not need each other, such as the two operands of a
// MatMul, run at the same time.
//
// # Reductions
//
// A reduction runs as a tree: each task reduces up to four chunks into a
// partial, and Compute combines the partials pairwise in an order fixed
// by the chunks, so results do not depend on the executor or on the
// order in which tasks finish. Var and Std combine (count, mean, M2)
// partials with Chan, Golub and LeVeque's update, which stays accurate
// when the mean is large compared with the spread. Var and Std are the
// population ones (NumPy's ddof=0).
//
// # NaN, infinities and empty arrays
//
// Arithmetic follows IEEE 754: NaNs propagate, 1/0 is +Inf, Sqrt and Log
// of negative numbers are NaN. Sum, Mean, Var and Std of data with a NaN
// are NaN; Min and Max propagate NaN too, as NumPy's min and max do (not
// nanmin). Arrays may have a length of zero; Sum of no elements is 0,
// while Mean, Var, Std, Min and Max of no elements fail with ErrEmpty.
//
// # Random arrays
//
// RandomNormal and RandomUniform are counter-based: element i (row-major)
// of an array made with seed s is a function of s and i alone — splitmix64
// hashing of (s, i), and a 256-layer ziggurat for normals — so the same
// seed and shape give the same values on any executor and with any
// chunks, and a slice of a random array is the same slice of the whole.
//
// # Errors
//
// An invalid operation — a bad shape, mismatched chunks, an axis the
// array lacks, an unregistered function — does not panic: it returns an
// Array whose Err reports it, wrapping ErrShape, ErrChunks, ErrAxis or
// ErrUnknownFunc, and every Array derived from it carries the same error,
// so a chain is checked once, at its end:
//
//	y := x.Add(z).Sqrt().Mean(0)
//	if err := y.Err(); err != nil { ... } // or let Compute return it
//
// Compute returns a failing task's error in a *shoal.TaskError (a panic
// in an Apply function as a *shoal.PanicError), and ctx's error when ctx
// is done, promptly: tasks check ctx between blocks.
//
// # Executors and clusters
//
// Compute runs each stage as one shoal.Map of chunk tasks on the executor
// it is given. A task is data — the chunk's bounds, the generator
// parameters, the fused list of operations, the reduction — handed to a
// function this package registers with shoal.Register, so the same graph
// runs on a *shoal.Pool and on a cluster (package cluster) unchanged; the
// program must call cluster.Main first, as every cluster program does.
// Apply's functions are registered by name with Register, from an init
// function, so that they exist in every process.
//
// On a pool nothing is copied: FromSlice data is read in place, and the
// chunks computed by one stage for the next are plain slices. On a
// cluster the chunks one stage computes for the next are stored on the
// cluster with shoal.Put from inside the task and travel as shoal.Refs,
// so they never round-trip through the driver; FromSlice chunks are sent
// once; only the final result comes back. Compute releases what it
// stored before it returns. A chunk must fit in one cluster message once
// encoded (64 MiB by default: about 7 million elements), and Apply's
// functions must be registered in the workers too.
//
// The tasks' data is checked where it runs: a malformed task fails with
// an error, never an index out of range.
//
// # Goroutines and memory
//
// The package starts no goroutine of its own: tasks run on the executor's
// workers, and Compute blocks on the calling goroutine until they are
// done. A Compute holds the arrays it returns and those of the stages it
// had to materialise (MatMul, Transpose and Rechunk inputs); fused chains
// and reductions hold only a few blocks per task.
package array

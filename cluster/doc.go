// Package cluster runs shoal's tasks on worker processes, on this machine
// or on many, over NATS JetStream: the same shoal.Submit, Map, Stream,
// Gather, AsCompleted and Put calls that run on a shoal.Pool run on a
// *Cluster or a *Client.
//
//	func init() { shoal.Register(analyze) } // in every binary that serves
//
//	func main() {
//		cluster.Main() // a worker process serves here and never returns
//		ctx := context.Background()
//		cl, err := cluster.Start(ctx, cluster.Workers(4))
//		if err != nil {
//			log.Fatal(err)
//		}
//		defer cl.Close()
//		results, err := shoal.Map(ctx, cl, assets, analyze, shoal.Progress("assets"))
//		...
//	}
//
// Start runs an embedded NATS server and worker processes that re-run the
// program's own binary (like `ipcluster start`); Connect joins an existing
// NATS deployment as a driver, and Serve runs a worker in any process
// that can reach one (see deploy/ for a three-server JetStream cluster).
// WorkerCommand runs a program as one more worker of an existing cluster
// (what `shoal worker --exec` does).
//
// # Worker processes
//
// A worker process is a program whose main calls Main first thing: when
// SHOAL_WORKER_URL is in its environment, Main serves the cluster at that
// URL with the options the environment gives, unsets those variables (a
// worker's own children are not workers) and exits the process when Serve
// returns. Start and WorkerCommand set the environment; systemd units and
// Kubernetes pod specs can set it themselves (the token from a secret):
//
//	SHOAL_WORKER_URL              the cluster's NATS URL (required)
//	SHOAL_WORKER_TOKEN            Token
//	SHOAL_WORKER_CREDS            CredsFile: the path of a credentials file
//	SHOAL_WORKER_TLS_CA           TLSFiles: the authorities' PEM file
//	SHOAL_WORKER_TLS_CERT         TLSFiles: a client certificate's PEM file
//	SHOAL_WORKER_TLS_KEY          TLSFiles: its private key's PEM file
//	SHOAL_WORKER_SLOTS            Slots, such as 8
//	SHOAL_WORKER_GRACE            Grace, such as 30s (default 10s)
//	SHOAL_WORKER_REPLICAS         Replicas
//	SHOAL_WORKER_ACK_WAIT         AckWait, such as 30s
//	SHOAL_WORKER_MAX_ACK_PENDING  MaxAckPending
//	SHOAL_WORKER_CACHE_BYTES      CacheBytes
//	SHOAL_WORKER_PROGRESS         1: keep progress output (WorkerProgress)
//	SHOAL_WORKER_ID               the worker's id in Status (default host-pid)
//
// Such a worker reconnects when its connection drops and stops on SIGTERM
// or SIGINT, letting its running tasks finish for the Grace period and
// putting the others back in the queue. The workers of Start are tied to
// their driver instead (see Faults).
//
// Progress bars of work that tasks do on a worker process (a shoal.Map
// with shoal.Progress inside a task) go nowhere: Main sets
// progress.Configure(progress.Config{Output: io.Discard}) before it
// serves, as such bars would only interleave with the driver's. With the
// WorkerProgress option, or SHOAL_WORKER_PROGRESS=1, they print on the
// worker's standard error instead, which for the workers of Start is the
// driver's Output, each line prefixed with the worker's id ("[w1] traders:
// 25/25 (100%)"). Serve, called by a program itself, leaves the process's
// progress configuration alone.
//
// # Distribution constraints
//
// No code travels. A task names a function registered with shoal.Register
// in the worker's binary, with a fingerprint of its argument and result
// types; a worker without the name fails the task with an error wrapping
// shoal.ErrNotRegistered, and one whose types differ with ErrSignature,
// naming both signatures. Arguments and results are data, encoded as CBOR
// and decoded with limits on size and nesting, so a corrupt or hostile
// message fails its task and never the worker. Closures cannot be
// registered: shoal.Go fails at once on a cluster. Values larger than a
// NATS message (1 MiB by default) go through the JetStream object store
// without the caller noticing; shoal.Put stores a shared value once,
// content-addressed, and each process fetches it once. The large result of
// a Submit, Then or ThenAll stays in the object store until its future is
// asked for its value, so shoal.Then passes it to the next task by
// reference, worker to worker; it is deleted when its future is garbage
// collected or the client closes.
//
// # How tasks run
//
// Tasks go to a work-queue stream read by one durable pull consumer shared
// by all workers. A worker asks for as many tasks as it has idle slots (a
// few more while tasks are tiny), runs at most Slots at once, and while a
// task waits on sub-tasks — a nested shoal.Map on shoal.From(ctx) goes back
// to the cluster — its slot runs other tasks, so nesting never deadlocks.
// Results come back over core NATS straight to the client that sent the
// task. A Map sends its items in chunks, a message each. Without
// shoal.ChunkSize, a chunk holds the items not yet sent divided by four
// times the cluster's slots (at most 4096), so chunks shrink towards the
// end and no slot idles long while another finishes a big last chunk;
// once chunks come back, none is made shorter than about 2 ms of work. A
// Stream's chunks start at one item and double while they come back
// quickly.
//
// A nested Map, ForEach or Stream goes through the queue only while the
// cluster has an idle slot to take it: before each chunk, the task's worker
// asks the queue (at most every 25 milliseconds) whether a worker is
// waiting for tasks with none queued. When none is, the chunk runs in the
// task's own goroutine and slot, as a worker would run it (decoded, with
// the call's Retry and Timeout, its errors as from the queue), without its
// messages: a task that nests short items on a busy cluster costs what it
// costs on a pool, and the bound of Slots per worker holds.
//
// # Faults
//
// A running task's worker tells the queue every AckWait/3 that it is alive.
// A worker that dies or freezes stops doing so, and after AckWait its tasks
// run on another worker; after the retry budget (the call's shoal.Retry or
// Redeliver, whichever is larger) they fail with ErrLostWorker instead.
// Clients do not wait that long for their own tasks. A worker tells a
// client when it takes one of its tasks, or, for a single item of the
// kind that takes under a millisecond, once it has held it for 100 ms. A
// client puts those of its calls back in the queue as soon as it sees the
// worker die — Start when one of its worker processes exits with an
// error, any client when a worker's status goes 6 seconds without a
// refresh. Only quick single-item tasks a dead worker had held for less
// than 100 ms (a few per slot: Submit in a loop, not Map) wait out the
// AckWait. The other way round,
// clients heartbeat too, and a worker drops the tasks of a client that
// closed or went 10 seconds without a heartbeat (a killed driver): queued
// ones never run, running ones see their context cancelled, and each is
// answered with ErrClientGone in case the client is there after all.
//
// A task that ran twice completes its future once: later answers are
// dropped. Answers travel over core NATS, so one sent while a client's
// connection is down is lost: once the connection is back, the client
// asks the queue about each call still unanswered, and sends again those
// whose tasks are no longer queued or running. Cancelling the context of a
// call removes its queued tasks and cancels the contexts of its running
// ones, within milliseconds. Worker processes of Start exit when the
// driver does, even when it is killed: their standard input is a pipe
// from the driver, on Linux the kernel sends them SIGKILL, and they exit
// when they lose the server.
//
// # Security
//
// The embedded server listens on loopback unless Listen says otherwise,
// and requires a token from crypto/rand of every client; Connect and Serve
// take a Token, a NATS credentials file or a TLS configuration (TLS, or
// TLSFiles). A client with the wrong credentials fails with ErrAuth. A
// token reaches a worker process in its environment, never on its command
// line; a credentials file or a certificate by its path.
//
// # Goroutines and panics
//
// A Client owns the goroutines of its NATS connection and a few of its own
// (cancelling calls, fetching large results); Close stops them. A Cluster
// also owns its server, a goroutine per worker process waiting for it to
// exit, and its processes: Close stops and waits for all of them. Serve
// runs a goroutine per task in hand, and returns once they have all
// returned. The process of WorkerCommand is its caller's to start, signal
// and wait for. A task that panics fails its item with
// a *shoal.PanicError whose Value is the panic value's text and whose Stack
// is the worker's stack; the worker goes on.
package cluster

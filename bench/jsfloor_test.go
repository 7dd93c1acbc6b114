package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The floor under the cluster round trip: the same hops through the same
// kind of server with no shoal in between. The driver publishes a message
// to a memory WorkQueue stream in a NATS server embedded in its process
// (and connected to in-process, as cluster.Start's driver is); a worker
// process holding pull requests on the stream's consumer gets it, answers
// on the driver's inbox with plain NATS, and acknowledges it. shoal's round
// trip adds encoding, registration checks, slots and futures to these hops.

// floorEnv, in a child process of this test binary, makes it a floor
// worker connecting to the URL it holds.
const floorEnv = "SHOAL_BENCH_JSFLOOR"

const (
	floorStream   = "FLOOR"
	floorSubject  = "floor.tasks"
	floorConsumer = "floor"
	floorReplyHdr = "Floor-Reply"
)

// floorWorker answers the floor benchmark's messages until its standard
// input closes.
func floorWorker(url string) int {
	nc, err := nats.Connect(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer nc.Close()
	next := fmt.Sprintf("$JS.API.CONSUMER.MSG.NEXT.%s.%s", floorStream, floorConsumer)
	req := fmt.Appendf(nil, `{"batch":1,"expires":%d}`, time.Hour.Nanoseconds())
	inbox := nc.NewInbox()
	_, err = nc.Subscribe(inbox, func(m *nats.Msg) {
		if len(m.Data) == 0 {
			return // a status: a request expired
		}
		_ = nc.Publish(m.Header.Get(floorReplyHdr), m.Data)
		_ = m.Ack()
		_ = nc.PublishRequest(next, inbox, req)
	})
	if err == nil {
		for range 8 { // as a shoal worker, hold a few requests
			err = nc.PublishRequest(next, inbox, req)
		}
	}
	if err == nil {
		err = nc.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// startFloor starts the floor's server, stream and clusterWorkers worker
// processes, and returns a round trip through them, all stopped when b
// ends.
func startFloor(b *testing.B) func([]byte) []byte {
	b.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: b.TempDir(), NoLog: true, NoSigs: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	ns.Start()
	b.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		b.Fatal("the floor's NATS server is not ready")
	}
	nc, err := nats.Connect(ns.ClientURL(), nats.InProcessServer(ns))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: floorStream, Subjects: []string{floorSubject},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.MemoryStorage,
	})
	if err == nil {
		_, err = st.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: floorConsumer, AckPolicy: jetstream.AckExplicitPolicy})
	}
	if err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for range clusterWorkers {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), floorEnv+"="+ns.ClientURL())
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
		if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
			b.Fatalf("floor worker: %q, %v", line, err)
		}
	}

	replies := make(chan []byte, 1)
	inbox := nc.NewInbox()
	if _, err := nc.Subscribe(inbox, func(m *nats.Msg) { replies <- m.Data }); err != nil {
		b.Fatal(err)
	}
	acks := nc.NewInbox() // the stream's acknowledgements, as shoal asks for them
	if _, err := nc.Subscribe(acks, func(*nats.Msg) {}); err != nil {
		b.Fatal(err)
	}
	return func(data []byte) []byte {
		m := &nats.Msg{Subject: floorSubject, Reply: acks, Data: data, Header: nats.Header{floorReplyHdr: []string{inbox}}}
		if err := nc.PublishMsg(m); err != nil {
			b.Fatal(err)
		}
		select {
		case r := <-replies:
			return r
		case <-time.After(10 * time.Second):
			b.Fatal("no answer from a floor worker after 10s")
			return nil
		}
	}
}

// floorRoundTrip times one round trip through the floor.
func floorRoundTrip(b *testing.B, send func([]byte) []byte, x int) time.Duration {
	start := time.Now()
	data := strconv.AppendInt(nil, int64(x), 10)
	if r := send(data); string(r) != string(data) {
		b.Fatalf("floor: sent %s, got %s back", data, r)
	}
	return time.Since(start)
}

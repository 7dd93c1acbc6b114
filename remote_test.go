package shoal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/internal/remote"
	"github.com/shoal-go/shoal/internal/wire"
)

// fakeCluster is an in-process remote.Backend: it looks functions up by
// name, as a worker does, and runs each call on a goroutine with the wire
// codec. It tests the root package's remote dispatch without NATS.
type fakeCluster struct {
	shoal.Remote
	slots   int
	calls   atomic.Int64
	wg      sync.WaitGroup
	mu      sync.Mutex
	objects map[string][]byte
	fetches atomic.Int64
	// Results of Keep calls longer than keepAbove bytes stay in objects,
	// as a real cluster keeps those too large for a message.
	keepAbove     int
	resultFetches atomic.Int64
	drops         chan string
	sizes         []int // the number of arguments of each call, in order
}

func newFakeCluster(t *testing.T, slots int) *fakeCluster {
	f := &fakeCluster{slots: slots, objects: map[string][]byte{}, keepAbove: 1 << 30, drops: make(chan string, 100)}
	f.Remote = shoal.NewRemote(f)
	t.Cleanup(f.wg.Wait)
	return f
}

var codec, _ = wire.New(wire.Limits{})

func (f *fakeCluster) Codec() remote.Codec { return codec }
func (f *fakeCluster) Slots() int          { return f.slots }

// lender counts lends, as a worker's slot semaphore would.
type lender struct{ lent atomic.Int64 }

func (l *lender) Block() bool { l.lent.Add(1); return true }
func (l *lender) Resume()     {}

func (f *fakeCluster) Submit(ctx context.Context, c *remote.Call, done func([]remote.Result, error)) func() {
	f.calls.Add(1)
	f.mu.Lock()
	f.sizes = append(f.sizes, len(c.Args))
	f.mu.Unlock()
	f.wg.Add(1)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer f.wg.Done()
		defer cancel()
		fn, ok := remote.Lookup(c.Name)
		if !ok {
			done(nil, fmt.Errorf("%w: %s", shoal.ErrNotRegistered, c.Name))
			return
		}
		if fn.Fingerprint != c.Fingerprint {
			done(nil, fmt.Errorf("signature mismatch: driver %s, worker %s", c.Signature, fn.Signature))
			return
		}
		tctx := remote.TaskContext(ctx, f, &lender{})
		args := c.Args
		if c.Pieces != nil {
			arg, err := f.assemble(c.Pieces)
			if err != nil {
				done(nil, err)
				return
			}
			args = [][]byte{arg}
		}
		res := make([]remote.Result, len(args))
		for i, a := range args {
			if err := ctx.Err(); err != nil {
				done(nil, err)
				return
			}
			res[i].Value, res[i].Err = fn.Invoke(tctx, codec, a)
		}
		if c.Keep && len(res) == 1 && res[0].Err == nil && len(res[0].Value) > f.keepAbove {
			res[0].Ref = fmt.Sprintf("result-%d", f.calls.Load())
			f.mu.Lock()
			f.objects[res[0].Ref] = res[0].Value
			f.mu.Unlock()
			res[0].Value = nil
		}
		done(res, nil)
	}()
	return cancel
}

func (f *fakeCluster) Put(_ context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	f.mu.Lock()
	f.objects[id] = data
	f.mu.Unlock()
	return id, nil
}

func (f *fakeCluster) Fetch(_ context.Context, id string) ([]byte, error) {
	f.fetches.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.objects[id]
	if !ok {
		return nil, shoal.ErrReleased
	}
	return data, nil
}

func (f *fakeCluster) Release(_ context.Context, id string) error {
	f.mu.Lock()
	delete(f.objects, id)
	f.mu.Unlock()
	return nil
}

// assemble reads an argument made of pieces, as a worker does.
func (f *fakeCluster) assemble(ps []remote.Piece) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var arg []byte
	for _, p := range ps {
		data := p.Data
		if id := p.Ref + p.Shared; id != "" {
			var ok bool
			if data, ok = f.objects[id]; !ok {
				return nil, fmt.Errorf("piece %s is gone", id)
			}
		}
		arg = append(arg, data...)
	}
	return arg, nil
}

func (f *fakeCluster) FetchResult(ctx context.Context, ref string) ([]byte, error) {
	f.resultFetches.Add(1)
	return f.Fetch(ctx, ref)
}

func (f *fakeCluster) DropResult(ref string) {
	f.mu.Lock()
	delete(f.objects, ref)
	f.mu.Unlock()
	select {
	case f.drops <- ref:
	default:
	}
}

func square(_ context.Context, x int) (int, error) { return x * x, nil }

func failOn7(_ context.Context, x int) (int, error) {
	if x == 7 {
		return 0, errors.New("seven")
	}
	return x, nil
}

func panicky(_ context.Context, x int) (int, error) {
	if x == 3 {
		panic("three")
	}
	return x, nil
}

// nestedSum runs a nested Map on the executor of its task.
func nestedSum(ctx context.Context, n int) (int, error) {
	out, err := shoal.Map(ctx, shoal.From(ctx), ints(n), square)
	if err != nil {
		return 0, err
	}
	s := 0
	for _, v := range out {
		s += v
	}
	return s, nil
}

type shared struct {
	Data []float64
}

type sumJob struct {
	Ref  shoal.Ref[shared]
	From int
}

func sumShared(ctx context.Context, j sumJob) (float64, error) {
	d, err := j.Ref.Get(ctx)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for _, v := range d.Data[j.From:] {
		s += v
	}
	return s, nil
}

func unregisteredFn(_ context.Context, x int) (int, error) { return x, nil }

var eachSeen sync.Map

func recordEach(_ context.Context, x int) error {
	if x == 13 {
		return errors.New("thirteen")
	}
	eachSeen.Store(x, true)
	return nil
}

func unregisteredEach(context.Context, int) error { return nil }

func init() {
	shoal.Register(square)
	shoal.Register(failOn7)
	shoal.Register(panicky)
	shoal.Register(nestedSum)
	shoal.Register(sumShared)
	shoal.RegisterEach(recordEach)
}

func TestRemoteForEach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	if err := shoal.ForEach(ctx, cl, ints(13), recordEach); err != nil {
		t.Fatal(err)
	}
	for i := range 13 {
		if _, ok := eachSeen.Load(i); !ok {
			t.Fatalf("item %d not visited", i)
		}
	}
	var te *shoal.TaskError
	if err := shoal.ForEach(ctx, cl, ints(20), recordEach); !errors.As(err, &te) || te.Index != 13 {
		t.Errorf("ForEach failure = %v, want item 13", err)
	}
	if err := shoal.ForEach(ctx, cl, ints(3), unregisteredEach); !errors.Is(err, shoal.ErrNotRegistered) {
		t.Errorf("unregistered ForEach = %v, want ErrNotRegistered", err)
	}
	mustPanic(t, "RegisterEach of a closure", func() {
		shoal.RegisterEach(func(context.Context, int) error { return nil })
	})
}

func TestRemoteSubmitAndMap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 4)
	if v, err := shoal.Submit(ctx, cl, square, 12).Get(ctx); v != 144 || err != nil {
		t.Fatalf("Submit = %d, %v", v, err)
	}
	out, err := shoal.Map(ctx, cl, ints(1000), square)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != i*i {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
	if n := cl.calls.Load(); n < 2 || n > 200 {
		t.Errorf("%d messages for 1000 items: Map should send chunks", n)
	}
	var got []int
	for v, err := range shoal.Stream(ctx, cl, slices.Values(ints(50)), square) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 50 || got[49] != 49*49 {
		t.Errorf("Stream = %v", got)
	}
}

func slowSquare(_ context.Context, x int) (int, error) {
	time.Sleep(3 * time.Millisecond)
	return x * x, nil
}

func init() { shoal.Register(slowSquare) }

// TestRemoteMapGuidedChunks checks that a Map of long items on a cluster
// sends chunks that shrink to one item at the end, so that no slot waits
// long for another to finish a big last chunk.
func TestRemoteMapGuidedChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	out, err := shoal.Map(ctx, cl, ints(100), slowSquare)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != i*i {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
	cl.mu.Lock()
	sizes := slices.Clone(cl.sizes)
	cl.mu.Unlock()
	sum := 0
	for i, n := range sizes {
		sum += n
		if i > 0 && n > sizes[i-1] {
			t.Errorf("chunk %d has %d items, more than the one before: %v", i, n, sizes)
		}
	}
	if sum != 100 || sizes[0] != 13 || sizes[len(sizes)-1] != 1 {
		t.Errorf("chunk sizes %v: want 100 items in all, 13 (100/8, rounded up) first, 1 last", sizes)
	}

	// With ChunkSize, every chunk has that size.
	cl = newFakeCluster(t, 2)
	if _, err := shoal.Map(ctx, cl, ints(10), slowSquare, shoal.ChunkSize(4)); err != nil {
		t.Fatal(err)
	}
	if want := []int{4, 4, 2}; !slices.Equal(cl.sizes, want) {
		t.Errorf("ChunkSize(4): chunk sizes %v; want %v", cl.sizes, want)
	}
}

func TestRemoteErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	if _, err := shoal.Submit(ctx, cl, unregisteredFn, 1).Get(ctx); !errors.Is(err, shoal.ErrNotRegistered) {
		t.Errorf("unregistered Submit: %v", err)
	}
	if _, err := shoal.Map(ctx, cl, ints(3), unregisteredFn); !errors.Is(err, shoal.ErrNotRegistered) {
		t.Errorf("unregistered Map: %v", err)
	}
	if _, err := shoal.Go(ctx, cl, func(context.Context) (int, error) { return 1, nil }).Get(ctx); err == nil {
		t.Error("Go with a closure on a cluster succeeded")
	}
	_, err := shoal.Map(ctx, cl, ints(20), failOn7, shoal.ChunkSize(3))
	var te *shoal.TaskError
	if !errors.As(err, &te) || te.Index != 7 {
		t.Errorf("fail-fast remote Map: %v, want item 7", err)
	}
	out, err := shoal.Map(ctx, cl, ints(10), panicky, shoal.CollectErrors())
	var pe *shoal.PanicError
	if !errors.As(err, &pe) || out[9] != 9 {
		t.Errorf("remote panic: %v, %v", out, err)
	}
	if _, err := shoal.Map(ctx, cl, ints(3), square, shoal.Limit(0)); !errors.Is(err, shoal.ErrInvalidOption) {
		t.Errorf("bad option: %v", err)
	}
}

func TestRemoteNested(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 1)
	out, err := shoal.Map(ctx, cl, []int{1, 2, 3}, nestedSum)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, []int{0, 1, 5}) {
		t.Errorf("nested = %v, want [0 1 5]", out)
	}
}

func TestRemotePutRef(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := newFakeCluster(t, 2)
	ref, err := shoal.Put(ctx, cl, shared{Data: []float64{1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	jobs := []sumJob{{ref, 0}, {ref, 1}, {ref, 2}, {ref, 3}}
	sums, err := shoal.Map(ctx, cl, jobs, sumShared, shoal.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sums, []float64{10, 9, 7, 4}) {
		t.Errorf("sums = %v", sums)
	}
	if n := cl.fetches.Load(); n != 1 {
		t.Errorf("value fetched %d times in one process, want 1", n)
	}
	if err := ref.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Get(ctx); err == nil {
		t.Error("Get after Release succeeded")
	}
	// A pool's Ref cannot travel to a cluster.
	p := newPool(t, 1)
	local, _ := shoal.Put(ctx, p, shared{})
	if _, err := shoal.Submit(ctx, cl, sumShared, sumJob{Ref: local}).Get(ctx); err == nil {
		t.Error("a pool Ref was sent to a cluster")
	}
}

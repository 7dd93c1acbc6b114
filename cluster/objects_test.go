package cluster_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/cluster"
)

func init() { shoal.Register(sumRef, shoal.Name("sumRef")) }

func sumRef(ctx context.Context, r shoal.Ref[[]float64]) (float64, error) {
	v, err := r.Get(ctx)
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s, err
}

// A value larger than a few MiB is hashed while it uploads; putting it
// again finds it stored and names it the same.
func TestPutLargeTwice(t *testing.T) {
	t.Parallel()
	c := start(t, cluster.Workers(1), cluster.Slots(1))
	ctx := ctxFor(t, 30*time.Second)
	v := make([]float64, 1<<20) // 8 MiB
	want := 0.0
	for i := range v {
		v[i] = math.Sqrt(float64(i))
		want += v[i]
	}
	r1, err := shoal.Put(ctx, c, v)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := shoal.Put(ctx, c, v)
	if err != nil {
		t.Fatal(err)
	}
	id1, _ := r1.MarshalBinary()
	id2, _ := r2.MarshalBinary()
	if string(id1) != string(id2) {
		t.Fatalf("two Puts of one value: ids %s and %s", id1, id2)
	}
	if got, err := shoal.Submit(ctx, c, sumRef, r2).Get(ctx); err != nil || got != want {
		t.Fatalf("sumRef = %v, %v; want %v", got, err, want)
	}
	if err := r1.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// A shared value whose meta message lies about its size fails the task
// that reads it, without the worker allocating what it claims.
func TestCorruptObjectMeta(t *testing.T) {
	w := serveOne(t)
	cl, url, token := w.cl, w.url, w.token
	ctx := ctxFor(t, 30*time.Second)
	nc, err := nats.Connect(url, nats.Token(token))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, tc := range []struct {
		name   string
		size   uint64
		chunks uint32
		data   []byte
		want   string
	}{
		{"b2-huge", 1 << 40, 1, []byte("x"), "limit"},
		{"b2-short", 100, 1, []byte("only a few bytes"), "want 100"},
		{"b2-long", 4, 1, []byte("more than four bytes"), "beyond its size"},
	} {
		nuid := strings.TrimPrefix(tc.name, "b2-") + "nuid"
		if err := nc.Publish("$O.SHOAL_OBJECTS.C."+nuid, tc.data); err != nil {
			t.Fatal(err)
		}
		meta, _ := json.Marshal(map[string]any{"name": tc.name, "bucket": "SHOAL_OBJECTS", "nuid": nuid, "size": tc.size, "chunks": tc.chunks})
		if _, err := nc.Request("$O.SHOAL_OBJECTS.M."+base64.URLEncoding.EncodeToString([]byte(tc.name)), meta, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		var r shoal.Ref[[]float64]
		if err := r.UnmarshalBinary([]byte(tc.name)); err != nil {
			t.Fatal(err)
		}
		_, err := shoal.Submit(ctx, cl, sumRef, r).Get(ctx)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: sumRef: err = %v; want one saying %q", tc.name, err, tc.want)
		}
	}
	// The worker goes on.
	if got, err := shoal.Submit(ctx, cl, square, 3).Get(ctx); err != nil || got != 9 {
		t.Fatalf("square(3) after corrupt objects = %d, %v", got, err)
	}
}

// Every fetch of a shared value, by a worker or by the client, deletes its
// consumer once done. The server keeps an idle consumer for minutes and
// takes at most 1,000 on a stream, so a cluster that fetched more values
// than that within minutes failed every fetch after ("maximum consumers
// limit reached").
func TestFetchLeavesNoConsumer(t *testing.T) {
	w := serveOne(t)
	ctx := ctxFor(t, 30*time.Second)
	consumers := func() int {
		t.Helper()
		s, err := w.js.Stream(ctx, "OBJ_SHOAL_OBJECTS")
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Consumers
	}
	b := cluster.Backend(w.cl)
	const n = 10
	for i := range n {
		v := []float64{float64(i), 1}
		r, err := shoal.Put(ctx, w.cl, v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := shoal.Submit(ctx, w.cl, sumRef, r).Get(ctx); err != nil || got != float64(i+1) {
			t.Fatalf("sumRef of value %d = %v, %v; want %d", i, got, err, i+1)
		}
		id, err := b.Put(ctx, fmt.Appendf(nil, "raw value %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if data, err := b.Fetch(ctx, id); err != nil || string(data) != fmt.Sprintf("raw value %d", i) {
			t.Fatalf("Fetch of raw value %d = %q, %v", i, data, err)
		}
	}
	if got := consumers(); got != 0 {
		t.Errorf("after %d fetches by the worker and %d by the client, the object stream has %d consumers; want 0", n, n, got)
	}
}

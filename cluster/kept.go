package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/shoal-go/shoal/internal/remote"
)

// A one-item call may ask to keep its result in the cluster (remote.Call.Keep,
// set by Submit, Then and ThenAll): a result too large for a message is
// then left in the object store where the worker put it, and the driver
// gets its name instead of its bytes. The driver fetches it only when its
// future's value is asked for; a dependent task names it as a piece of its
// argument and the worker that runs it reads it from the store. So a value
// passed from task to task never travels through the driver. The driver
// deletes a kept result when its future is garbage collected, and every
// one left when the client closes.

// pieceInline is the largest argument piece sent inside the task message;
// larger ones go through the object store, like spilled arguments.
const pieceInline = 64 << 10

// keepResult hands a call that asked to keep its result the result's
// object name, and reports whether it did.
func (b *backend) keepResult(r *resultMsg) bool {
	b.mu.Lock()
	pc := b.pending[r.ID]
	keep := pc != nil && pc.keep
	if keep {
		if b.kept == nil {
			b.kept = map[string]struct{}{}
		}
		b.kept[r.Object] = struct{}{}
	}
	b.mu.Unlock()
	if keep {
		b.complete(r.ID, []remote.Result{{Ref: r.Object}}, nil)
	}
	return keep
}

// FetchResult implements remote.Backend.
func (b *backend) FetchResult(ctx context.Context, ref string) ([]byte, error) {
	b.keptReads.Add(1)
	return b.readResult(ctx, ref)
}

// readResult reads the value of the kept result ref.
func (b *backend) readResult(ctx context.Context, ref string) ([]byte, error) {
	data, err := b.getObject(ctx, ref)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("cluster: result %s is gone from the store (its future was dropped, or its client closed)", ref)
	}
	if err != nil {
		return nil, err
	}
	items, err := decodeItems(data)
	if err != nil {
		return nil, err
	}
	if len(items) != 1 || items[0].Err != nil {
		return nil, fmt.Errorf("cluster: result %s holds %d items, want one value", ref, len(items))
	}
	return items[0].Value, nil
}

// DropResult implements remote.Backend.
func (b *backend) DropResult(ref string) {
	b.mu.Lock()
	_, ok := b.kept[ref]
	delete(b.kept, ref)
	b.mu.Unlock()
	if ok {
		b.dropObject(ref)
	}
}

// dropKept deletes every kept result, as the backend closes.
func (b *backend) dropKept() {
	b.mu.Lock()
	kept := b.kept
	b.kept = nil
	b.mu.Unlock()
	for ref := range kept {
		b.deleteObject(ref)
	}
}

// pieces turns a call's argument pieces into the task's: small data
// inline, large data into objects named after call id (returned, to delete
// when the call ends), kept results and shared values by name.
func (b *backend) pieces(ctx context.Context, id uint64, ps []remote.Piece) ([]piece, []string, error) {
	out := make([]piece, len(ps))
	var objects []string
	for i, p := range ps {
		switch {
		case p.Ref != "":
			out[i] = piece{Kind: pieceResult, Data: []byte(p.Ref)}
		case p.Shared != "":
			out[i] = piece{Kind: pieceShared, Data: []byte(p.Shared)}
		case len(p.Data) > pieceInline:
			name := fmt.Sprintf("call.%s.%d.%d", b.inbox, id, i)
			if err := b.putObject(ctx, name, p.Data); err != nil {
				b.dropObjects(objects)
				return nil, nil, err
			}
			objects = append(objects, name)
			out[i] = piece{Kind: pieceObject, Data: []byte(name)}
		default:
			out[i] = piece{Kind: pieceData, Data: p.Data}
		}
	}
	return out, objects, nil
}

// dropObjects deletes objects in the background.
func (b *backend) dropObjects(names []string) {
	for _, name := range names {
		b.dropObject(name)
	}
}

// assemble reads the pieces of a task's argument, on a worker.
func (w *worker) assemble(ctx context.Context, ps []piece) ([]byte, error) {
	var arg []byte
	for i, p := range ps {
		var (
			data []byte
			err  error
		)
		switch p.Kind {
		case pieceData:
			data = p.Data
		case pieceResult:
			data, err = w.b.readResult(ctx, string(p.Data))
		case pieceShared:
			data, err = w.b.Fetch(ctx, string(p.Data))
		case pieceObject:
			data, err = w.b.getObject(ctx, string(p.Data))
		}
		if err != nil {
			return nil, fmt.Errorf("piece %d: %w", i, err)
		}
		if len(ps) == 1 {
			return data, nil
		}
		arg = append(arg, data...)
	}
	return arg, nil
}

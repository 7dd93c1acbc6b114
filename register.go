package shoal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/shoal-go/shoal/internal/remote"
)

// RegisterOption configures Register.
type RegisterOption func(*registration)

// Name registers the function under name instead of its symbol name. A
// stable name lets the function move or be renamed without breaking
// running clusters.
func Name(name string) RegisterOption { return func(r *registration) { r.name = name } }

// registration is one registered function: its stable name, and a
// fingerprint of its argument and result types that driver and workers
// compare, so a task never runs against a different signature.
type registration struct {
	name        string
	signature   string // the Go signature, for error messages
	fingerprint string // hash of the deep structure of the argument and result types
	fn          any
	// invoke runs fn on an encoded argument, for cluster workers.
	invoke func(ctx context.Context, c remote.Codec, arg []byte) ([]byte, error)
}

var registry struct {
	sync.RWMutex
	byName map[string]*registration
	byCode map[uintptr]*registration
}

// closureName matches the symbols the compiler gives function literals
// (pkg.F.func1, pkg.F.func1.2, pkg.init.func3, pkg.glob..func1) and method
// values (pkg.T.M-fm).
var closureName = regexp.MustCompile(`\.func\d+(\.\d+)*$|-fm$`)

// Register makes fn callable by name on every executor, local or cluster.
// Call it from an init function (or before any task uses fn) in every
// binary that drives or serves a cluster. fn must be a top-level function;
// Register panics — a bug in the program, not a run-time condition — if fn
// is nil, a closure or a method value, or if the name is already taken.
// It is safe for concurrent use.
func Register[T, R any](fn func(context.Context, T) (R, error), opts ...RegisterOption) {
	if fn == nil {
		panic("shoal: Register with nil function")
	}
	register(fn, opts, func(r *registration) remoteInvoke {
		return func(ctx context.Context, c remote.Codec, arg []byte) ([]byte, error) {
			var v T
			if err := c.Unmarshal(arg, &v); err != nil {
				return nil, fmt.Errorf("shoal: decoding the argument of %s (%s): %w", r.name, r.signature, err)
			}
			res, err := call(ctx, fn, v)
			if err != nil {
				return nil, err
			}
			out, err := c.Marshal(res)
			if err != nil {
				return nil, fmt.Errorf("shoal: encoding the result of %s (%s): %w", r.name, r.signature, err)
			}
			return out, nil
		}
	})
}

// RegisterEach is Register for the functions ForEach takes, which return
// only an error: it makes fn callable by name on a cluster, so that
// ForEach(ctx, cluster, in, fn) works there as it does on a pool. The
// same rules and panics as Register apply.
func RegisterEach[T any](fn func(context.Context, T) error, opts ...RegisterOption) {
	if fn == nil {
		panic("shoal: RegisterEach with nil function")
	}
	register(fn, opts, func(r *registration) remoteInvoke {
		return func(ctx context.Context, c remote.Codec, arg []byte) ([]byte, error) {
			var v T
			if err := c.Unmarshal(arg, &v); err != nil {
				return nil, fmt.Errorf("shoal: decoding the argument of %s (%s): %w", r.name, r.signature, err)
			}
			_, err := call(ctx, func(ctx context.Context, v T) (struct{}, error) { return struct{}{}, fn(ctx, v) }, v)
			if err != nil {
				return nil, err
			}
			return c.Marshal(struct{}{})
		}
	})
}

type remoteInvoke = func(ctx context.Context, c remote.Codec, arg []byte) ([]byte, error)

// register records fn (a func(ctx, T) (R, error) or func(ctx, T) error)
// under its name, with the invoke that workers call.
func register(fn any, opts []RegisterOption, invoke func(*registration) remoteInvoke) {
	code := reflect.ValueOf(fn).Pointer()
	symbol := runtime.FuncForPC(code).Name()
	if closureName.MatchString(symbol) {
		panic(fmt.Sprintf("shoal: Register(%s): closures and method values cannot be registered; register a top-level function", symbol))
	}
	r := &registration{name: symbol, fn: fn}
	for _, o := range opts {
		if o != nil {
			o(r)
		}
	}
	if strings.TrimSpace(r.name) == "" {
		panic(fmt.Sprintf("shoal: Register(%s): empty name", symbol))
	}
	ft := reflect.TypeOf(fn)
	r.signature = ft.String()
	res := reflect.TypeFor[struct{}]()
	if ft.NumOut() == 2 {
		res = ft.Out(0)
	}
	r.fingerprint = fingerprint(ft.In(1), res)
	r.invoke = invoke(r)

	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = map[string]*registration{}
		registry.byCode = map[uintptr]*registration{}
	}
	if old, ok := registry.byName[r.name]; ok {
		panic(fmt.Sprintf("shoal: Register: name %q is already registered (%s)", r.name, old.signature))
	}
	if old, ok := registry.byCode[code]; ok {
		panic(fmt.Sprintf("shoal: Register(%s): already registered as %q", symbol, old.name))
	}
	registry.byName[r.name] = r
	registry.byCode[code] = r
}

// lookupFunc returns the registration of fn, or ErrNotRegistered.
func lookupFunc(fn any) (*registration, error) {
	code := reflect.ValueOf(fn).Pointer()
	registry.RLock()
	r, ok := registry.byCode[code]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s (call shoal.Register from an init function)", ErrNotRegistered, runtime.FuncForPC(code).Name())
	}
	return r, nil
}

// lookupName returns the function registered under name, or
// ErrNotRegistered.
func lookupName(name string) (*registration, error) {
	registry.RLock()
	r, ok := registry.byName[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: no function named %q in this binary", ErrNotRegistered, name)
	}
	return r, nil
}

// fingerprint hashes the deep structure of the argument and result types:
// field names, tags, element and key types, down to basic kinds. Two
// builds agree on it exactly when a value encoded by one decodes the same
// way in the other.
func fingerprint(arg, res reflect.Type) string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	describe(&b, arg, seen)
	b.WriteString(" -> ")
	describe(&b, res, seen)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

func describe(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t.Name() != "" {
		b.WriteString(t.PkgPath())
		b.WriteByte('.')
		b.WriteString(t.Name())
		if seen[t] {
			return // a recursive type: described once already
		}
		seen[t] = true
		b.WriteByte('=')
	}
	switch t.Kind() {
	case reflect.Struct:
		b.WriteString("struct{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(b, "%s %q ", f.Name, f.Tag)
			describe(b, f.Type, seen)
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Pointer:
		b.WriteByte('*')
		describe(b, t.Elem(), seen)
	case reflect.Slice:
		b.WriteString("[]")
		describe(b, t.Elem(), seen)
	case reflect.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		describe(b, t.Elem(), seen)
	case reflect.Map:
		b.WriteString("map[")
		describe(b, t.Key(), seen)
		b.WriteByte(']')
		describe(b, t.Elem(), seen)
	default:
		b.WriteString(t.Kind().String())
	}
}

package shoal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shoal-go/shoal"
)

type point struct{ X, Y float64 }

type pointV2 struct {
	X, Y float64
	Z    float64
}

type tree struct {
	Val      int
	Children []*tree
}

func scale(_ context.Context, p point) (point, error)     { return point{2 * p.X, 2 * p.Y}, nil }
func scaleV2(_ context.Context, p pointV2) (point, error) { return point{p.X, p.Y}, nil }
func walk(_ context.Context, t *tree) (int, error)        { return t.Val, nil }
func renamed(_ context.Context, s string) (string, error) { return s, nil }
func dupA(_ context.Context, s string) (string, error)    { return s, nil }
func dupB(_ context.Context, s string) (string, error)    { return s, nil }
func neverRegistered(_ context.Context, s string) (string, error) {
	return s, nil
}

type method struct{}

func (method) Do(_ context.Context, s string) (string, error) { return s, nil }

// Registrations are process-wide, so they happen once, in init, as in a
// real program; the test checks them (and runs again with -count).
func init() {
	shoal.Register(scale)
	shoal.Register(renamed, shoal.Name("text.identity"))
	shoal.Register(walk) // a recursive type is fine
	shoal.Register(dupA, shoal.Name("dup"))
}

func TestRegister(t *testing.T) {
	name, fp, err := shoal.Registered(scale)
	if err != nil || !strings.HasSuffix(name, ".scale") || fp == "" {
		t.Fatalf("Registered(scale) = %q, %q, %v", name, fp, err)
	}
	if err := shoal.RegisteredName("text.identity"); err != nil {
		t.Errorf("Name option: %v", err)
	}
	if _, _, err := shoal.Registered(neverRegistered); !errors.Is(err, shoal.ErrNotRegistered) || !strings.Contains(err.Error(), "neverRegistered") {
		t.Errorf("unregistered function: %v, want ErrNotRegistered naming it", err)
	}
	if err := shoal.RegisteredName("no.such"); !errors.Is(err, shoal.ErrNotRegistered) {
		t.Errorf("unknown name: %v", err)
	}

	mustPanic(t, "registering a closure", func() {
		shoal.Register(func(_ context.Context, s string) (string, error) { return s, nil })
	})
	mustPanic(t, "registering a method value", func() { shoal.Register(method{}.Do) })
	mustPanic(t, "registering twice", func() { shoal.Register(scale) })
	mustPanic(t, "a duplicate name", func() { shoal.Register(dupB, shoal.Name("dup")) })
	mustPanic(t, "an empty name", func() { shoal.Register(dupB, shoal.Name(" ")) })
	mustPanic(t, "a nil function", func() { shoal.Register[int, int](nil) })
}

func TestFingerprintSeesDeepTypeChanges(t *testing.T) {
	t.Parallel()
	a := shoal.Fingerprint(scale)
	if a != shoal.Fingerprint(scale) {
		t.Error("fingerprint not stable")
	}
	if a == shoal.Fingerprint(scaleV2) {
		t.Error("a new struct field did not change the fingerprint")
	}
	if a == shoal.Fingerprint(renamed) {
		t.Error("different types share a fingerprint")
	}
	shoal.Fingerprint(walk) // terminates on recursive types
}

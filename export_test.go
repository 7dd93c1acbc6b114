package shoal

import "reflect"

// Fingerprint exposes the signature fingerprint of func(ctx, T) (R, error)
// to the tests.
func Fingerprint(fn any) string {
	ft := reflect.TypeOf(fn)
	return fingerprint(ft.In(1), ft.Out(0))
}

// Registered reports the name and fingerprint fn is registered under.
func Registered(fn any) (name, fp string, err error) {
	r, err := lookupFunc(fn)
	if err != nil {
		return "", "", err
	}
	return r.name, r.fingerprint, nil
}

// RegisteredName reports whether a function is registered under name.
func RegisteredName(name string) error {
	_, err := lookupName(name)
	return err
}

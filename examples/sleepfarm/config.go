package sleepfarm

import (
	"errors"
	"fmt"
	"time"
)

// Slots is how many tasks the seed question's pool runs at once, and what
// the answer for the default Config expects of the executor given to Run:
// shoal.NewPool(shoal.Workers(Slots)) gives 4 workers and a wall time of
// ceil(10/4) = 3 seconds.
const Slots = 4

// Config sizes the farm.
type Config struct {
	Tasks int           // how many tasks, from 1 to MaxTasks
	Sleep time.Duration // how long each task sleeps, from 0 to MaxSleep
}

// Limits on a Config, so that sizes from a command line stay demo-sized.
const (
	MaxTasks = 10_000
	MaxSleep = time.Minute
)

// ErrInvalidConfig wraps every error returned by Config.Validate and
// ConfigFor.
var ErrInvalidConfig = errors.New("sleepfarm: invalid config")

// ConfigFor returns the Config of a named size: "small" (10 tasks of
// 100 ms), "default" (the seed's 10 tasks of 1 s) or "large" (20 tasks of
// 1 s). Any other name returns an error wrapping ErrInvalidConfig.
func ConfigFor(size string) (Config, error) {
	switch size {
	case "small":
		return Config{Tasks: 10, Sleep: 100 * time.Millisecond}, nil
	case "default":
		return Config{Tasks: 10, Sleep: time.Second}, nil
	case "large":
		return Config{Tasks: 20, Sleep: time.Second}, nil
	}
	return Config{}, fmt.Errorf("%w: unknown size %q: want small, default or large", ErrInvalidConfig, size)
}

// Validate reports whether c is a farm Run and Sequential accept: 1 to
// MaxTasks tasks sleeping 0 to MaxSleep each.
func (c Config) Validate() error {
	switch {
	case c.Tasks < 1 || c.Tasks > MaxTasks:
		return fmt.Errorf("%w: %d tasks: want 1 to %d", ErrInvalidConfig, c.Tasks, MaxTasks)
	case c.Sleep < 0 || c.Sleep > MaxSleep:
		return fmt.Errorf("%w: sleep %v: want 0 to %v", ErrInvalidConfig, c.Sleep, MaxSleep)
	}
	return nil
}

// Rounds returns how many rounds of sleeps c takes on an executor running
// slots tasks at once: ceil(Tasks/slots). The wall time of Run is about
// Rounds × Sleep.
func (c Config) Rounds(slots int) int {
	if slots < 1 {
		return 0
	}
	return (c.Tasks + slots - 1) / slots
}

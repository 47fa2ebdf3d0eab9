package leak

import (
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestNotifyLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	reported := make(chan error, 3)
	send := func(target string) error {
		if target == "down" {
			return errors.New(target)
		}
		return nil
	}
	Notify([]string{"up", "down", "down"}, send, func(err error) { reported <- err })
	for range 2 {
		if err := <-reported; err.Error() != "down" {
			t.Errorf("reported %v, want down", err)
		}
	}
	// Nothing closes errs: the reporting goroutine waits for more for ever.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

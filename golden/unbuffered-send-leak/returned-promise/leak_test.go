package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestAnAbandonedPromiseLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got := <-Go(func() error { return nil }); got != nil {
		t.Errorf("<-Go(f) = %v, want nil", got)
	}
	// A caller that gives up on the result, as callers with a timeout do.
	_ = Go(func() error { return nil })
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

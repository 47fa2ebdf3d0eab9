package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestReceiversElsewhereLeaveNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got := Collect(func() int { return 5 }); got != 5 {
		t.Errorf("Collect(f) = %d, want 5", got)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

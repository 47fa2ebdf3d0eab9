package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestSum3LeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	one := func() int { return 1 }
	if got := Sum3(one, one, one); got != 3 {
		t.Errorf("Sum3 = %d, want 3", got)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

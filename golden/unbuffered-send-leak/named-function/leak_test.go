package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestTotalReadsBothValues exercises the path that receives everything.
func TestTotalReadsBothValues(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got := Total(false); got != 3 {
		t.Errorf("Total(false) = %d, want 3", got)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMinMaxReadsBothValues exercises the path that reads both values. The
// skip path leaks, but a capacity of 1 would still leave the second send
// blocked: the rule must leave this function alone.
func TestMinMaxReadsBothValues(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if lo, hi := MinMax(false, []int{3, 1, 4, 1, 5, 9, 2, 6}); lo != 1 || hi != 9 {
		t.Errorf("MinMax = %d, %d, want 1, 9", lo, hi)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

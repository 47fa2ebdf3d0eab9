package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestSumReadsEverything exercises the path that receives every value.
func TestSumReadsEverything(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if total, ok := Sum([]int{1, 2, 3, 4}, make(chan struct{})); total != 10 || !ok {
		t.Errorf("Sum = %d, %v, want 10, true", total, ok)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

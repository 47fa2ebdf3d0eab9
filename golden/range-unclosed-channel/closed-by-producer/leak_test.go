package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestPipelineLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	sum := 0
	Pipeline([]int{1, 2, 3}, func(v int) { sum += v })
	if sum != 6 {
		t.Errorf("sum = %d, want 6", sum)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

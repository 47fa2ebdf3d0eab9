package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestTimedOutExampleLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	timeout := make(chan struct{})
	close(timeout)
	release := make(chan struct{})
	if _, ok := Example(timeout, func() any {
		<-release
		return "late"
	}); ok {
		t.Fatal("Example(closed timeout, blocked compute) reported a result")
	}
	// compute finishes only after Example has timed out: its result has no
	// reader any more.
	close(release)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestExampleReturnsTheResult(t *testing.T) {
	result, ok := Example(make(chan struct{}), func() any { return 7 })
	if !ok || result != 7 {
		t.Fatalf("Example = %v, %v, want 7, true", result, ok)
	}
}

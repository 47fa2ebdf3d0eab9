package leak

import (
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

func TestFastestLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	got := Fastest(4, strconv.Itoa)
	if n, err := strconv.Atoi(got); err != nil || n < 0 || n >= 4 {
		t.Fatalf("Fastest(4, …) = %q, want a replica number below 4", got)
	}
	// Four replicas answered, one answer read: three senders have no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

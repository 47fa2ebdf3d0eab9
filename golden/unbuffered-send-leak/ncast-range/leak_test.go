package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestFirstLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	items := []string{"a", "bb", "ccc"}
	got := First(items, func(s string) int { return len(s) })
	if got < 1 || got > 3 {
		t.Fatalf("First(%q) = %d, want the length of one of them", items, got)
	}
	// Three lookups answered, one answer read: two senders have no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestExampleLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	items := []any{1, 2, 3}
	got := Example(items)
	if got != 1 && got != 2 && got != 3 {
		t.Fatalf("Example(%v) = %v, want one of them", items, got)
	}
	// Three senders, one receive: two senders have no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

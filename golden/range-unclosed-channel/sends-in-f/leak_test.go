package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestPrintLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	printed := make(chan string, 2)
	Print([]string{"a", "b"}, func(s string) { printed <- s })
	if a, b := <-printed, <-printed; a != "a" || b != "b" {
		t.Errorf("printed %q, %q, want a, b", a, b)
	}
	// Nothing closes c: the printer waits for more lines for ever.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

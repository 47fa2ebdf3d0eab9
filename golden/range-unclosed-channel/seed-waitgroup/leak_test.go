package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestExampleLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	handled := 0
	Example([]any{1, "two", 3.0}, func(any) { handled++ })
	// wg.Done comes after handle, so wg.Wait orders every handle call
	// before this read.
	if handled != 3 {
		t.Errorf("handled %d items, want 3", handled)
	}
	// Nothing closes c: the ranging goroutine waits for more for ever.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

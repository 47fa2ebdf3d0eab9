package leak

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestHedgeLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got := Hedge("a long request", strings.ToUpper); got != "A LONG REQUEST" {
		t.Fatalf("Hedge = %q, want %q", got, "A LONG REQUEST")
	}
	// Three copies answered, one reply read: two senders have no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestRaceLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	got := Race(func() string { return "primary" }, func() string { return "backup" })
	if got != "primary" && got != "backup" {
		t.Fatalf("Race = %q, want primary or backup", got)
	}
	// Both answered, one answer read: the loser has no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

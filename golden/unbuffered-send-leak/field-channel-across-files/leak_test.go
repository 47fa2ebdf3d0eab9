package leak

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestAStoppedWatcherLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	w := NewWatcher()
	w.Start(ctx, func() string { return "tick" })
	if ev, err := w.Next(context.Background()); ev != "tick" || err != nil {
		t.Fatalf("Next = %q, %v", ev, err)
	}
	// The reader stops reading and the watcher's context ends.
	cancel()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

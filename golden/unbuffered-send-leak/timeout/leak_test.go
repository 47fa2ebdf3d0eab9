package leak

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestCancelledFetchLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	release := make(chan struct{})
	_, err := Fetch(ctx, func() int {
		<-release
		return 1
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch(cancelled, …) error = %v, want context.Canceled", err)
	}
	// The work finishes only after Fetch has given up on it: its result has
	// no reader any more.
	close(release)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestFetchReturnsTheResult(t *testing.T) {
	v, err := Fetch(context.Background(), func() int { return 42 })
	if v != 42 || err != nil {
		t.Fatalf("Fetch(background, …) = %d, %v, want 42, nil", v, err)
	}
}

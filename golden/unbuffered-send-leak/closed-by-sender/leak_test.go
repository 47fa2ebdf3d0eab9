package leak

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestCancelledWaitLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	release := make(chan struct{})
	if _, err := Wait(ctx, func() int { <-release; return 1 }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait(cancelled) error = %v", err)
	}
	close(release)
	if v, err := Wait(context.Background(), func() int { return 3 }); v != 3 || err != nil {
		t.Errorf("Wait = %d, %v, want 3, nil", v, err)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

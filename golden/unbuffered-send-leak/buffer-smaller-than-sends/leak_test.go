package leak

import (
	"context"
	"fmt"
	"testing"

	"go.uber.org/goleak"
)

func TestLosingRepliesLeaveNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	release := make(chan struct{})
	ask := func(replica int) string {
		if replica > 0 {
			<-release
		}
		return fmt.Sprint("replica ", replica)
	}
	if a, err := FirstOf(context.Background(), ask); a != "replica 0" || err != nil {
		t.Fatalf("FirstOf = %q, %v", a, err)
	}
	close(release)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

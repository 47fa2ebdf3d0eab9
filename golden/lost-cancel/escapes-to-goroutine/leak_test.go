package leak

import (
	"context"
	"testing"
	"time"
)

// work waits until Start has returned, then reports its context's state: the
// context must still be live then (unless its limit or parent says otherwise).
func TestStartBehaviour(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		parent context.Context
		limit  time.Duration
		want   error
	}{
		{"an hour", context.Background(), time.Hour, nil},
		{"already expired", context.Background(), -1, context.DeadlineExceeded},
		{"cancelled parent", cancelled, time.Hour, context.Canceled},
	}
	for _, tt := range tests {
		release := make(chan struct{})
		done := Start(tt.parent, tt.limit, func(ctx context.Context) error {
			<-release
			return ctx.Err()
		})
		// Start has returned; only now may work look at its context.
		close(release)
		if got := <-done; got != tt.want {
			t.Errorf("%s: work saw ctx.Err() = %v after Start returned, want %v", tt.name, got, tt.want)
		}
	}
}

package leak

import (
	"context"
	tm "time"
)

// Poll waits for one polling period. It reports false when ctx ended first.
func Poll(ctx context.Context, every tm.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-tm.After(every):
		return true
	}
}

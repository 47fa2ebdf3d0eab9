package leak

import (
	"context"
	"time"
)

// Wait waits until d has passed or ctx is done, and reports how long it
// waited.
func Wait(ctx context.Context, d time.Duration) (time.Duration, error) {
	timer := time.Now()
	select {
	case <-time.After(d):
		return time.Since(timer), nil
	case <-ctx.Done():
		return time.Since(timer), ctx.Err()
	}
}

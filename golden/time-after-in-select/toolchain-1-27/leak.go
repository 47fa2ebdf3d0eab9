package leak

import (
	"context"
	"time"
)

// WaitOrCancel waits until d has passed or ctx is done, whichever comes first.
func WaitOrCancel(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

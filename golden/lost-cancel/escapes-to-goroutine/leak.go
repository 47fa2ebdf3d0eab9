package leak

import (
	"context"
	"time"
)

// Start runs work in the background with at most limit to finish, and
// returns a channel that receives its result. The context must outlive
// Start: cancelling it when Start returns would cut work short.
func Start(parent context.Context, limit time.Duration, work func(context.Context) error) <-chan error {
	ctx, _ := context.WithTimeout(parent, limit)
	done := make(chan error, 1)
	go func() {
		done <- work(ctx)
	}()
	return done
}

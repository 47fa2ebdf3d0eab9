package leak

import "context"

// Watch calls poll with a context that is cancelled when parent is, and
// returns what poll returns.
func Watch(parent context.Context, poll func(context.Context) int) int {
	ctx, cancel := context.WithCancel(parent)
	_ = cancel
	return poll(ctx)
}

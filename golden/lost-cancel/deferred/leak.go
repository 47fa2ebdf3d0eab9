package leak

import (
	"context"
	"time"
)

// Ping reports what check says, giving it an hour at most. The context is
// cancelled when Ping returns.
func Ping(parent context.Context, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, time.Hour)
	defer cancel()
	return check(ctx)
}

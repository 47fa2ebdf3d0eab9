package leak

import (
	"context"
	"time"
)

// Ping reports what check says, giving it an hour at most.
func Ping(parent context.Context, check func(context.Context) error) error {
	ctx, _ := context.WithTimeout(parent, time.Hour)
	return check(ctx)
}

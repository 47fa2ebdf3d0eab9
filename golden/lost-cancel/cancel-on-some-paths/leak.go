package leak

import (
	"context"
	"time"
)

// Query runs q with an hour's budget and returns its count. The context is
// cancelled when q fails, but not when it succeeds.
func Query(parent context.Context, q func(context.Context) (int, error)) (int, error) {
	ctx, cancel := context.WithTimeout(parent, time.Hour)
	n, err := q(ctx)
	if err != nil {
		cancel()
		return 0, err
	}
	return n, nil
}

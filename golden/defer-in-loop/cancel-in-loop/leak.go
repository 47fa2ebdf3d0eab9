package leak

import (
	"context"
	"fmt"
	"time"
)

// FetchAll fetches every URL in order, giving each request at most timeout,
// and returns the bodies.
func FetchAll(ctx context.Context, urls []string, timeout time.Duration, fetch func(context.Context, string) (string, error)) ([]string, error) {
	var bodies []string
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		body, err := fetch(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		bodies = append(bodies, body)
	}
	return bodies, nil
}

package leak

import (
	"context"
	"errors"
)

// TimeToLive asks fetch for a lease's TTL and gives up when ctx is done. The
// goroutine sends once on each of its exclusive paths. (Reduced from etcd's
// leasehttp TimeToLiveHTTP, which has six such sends.)
func TimeToLive(ctx context.Context, fetch func() (int, error)) (int, error) {
	type result struct {
		ttl int
		err error
	}
	c := make(chan result)
	go func() {
		ttl, err := fetch()
		if err != nil {
			c <- result{err: err}
			return
		}
		if ttl < 0 {
			c <- result{err: errors.New("lease expired")}
			return
		}
		c <- result{ttl: ttl}
	}()
	select {
	case r := <-c:
		return r.ttl, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

package leak

import "context"

// Fetch runs work in the background and returns its result, or ctx's error
// when ctx is done first.
func Fetch(ctx context.Context, work func() int) (int, error) {
	c := make(chan int)
	go func() {
		c <- work()
	}()
	select {
	case v := <-c:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

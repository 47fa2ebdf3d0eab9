package leak

import "context"

// Wait waits for work's result or for ctx. The sender closes the channel after
// its send; the finding must not disappear because of that close.
func Wait(ctx context.Context, work func() int) (int, error) {
	done := make(chan int)
	go func() {
		defer close(done)
		done <- work()
	}()
	select {
	case v := <-done:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

package leak

import "context"

// Fetch waits for work's result or for ctx, then closes the channel. When ctx
// wins, the sender is still blocked on c: the close makes its send panic
// instead of letting it finish. A buffer alone would not do; the sender
// should close the channel, so leakfix explains and edits nothing. (Shape 3
// of the analysis issue: the caller closes it after its select.)
func Fetch(ctx context.Context, work func() int) (int, error) {
	c := make(chan int)
	go func() {
		c <- work()
	}()
	defer close(c)
	select {
	case v := <-c:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

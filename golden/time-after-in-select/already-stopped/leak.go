package leak

import (
	"context"
	"time"
)

// WaitOrCancel waits until d has passed or ctx is done, whichever comes first.
// It already stops its timer on the way out.
func WaitOrCancel(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Next waits up to idle for each value from in and returns how many arrived
// before in was closed or idle passed. It stops the timer of each iteration
// before leaving the select.
func Next(in <-chan int, idle time.Duration) int {
	n := 0
	for {
		timer := time.NewTimer(idle)
		select {
		case _, ok := <-in:
			if !timer.Stop() {
				<-timer.C
			}
			if !ok {
				return n
			}
			n++
		case <-timer.C:
			return n
		}
	}
}

package leak

import "time"

// Receive waits up to d for a value from in. It returns the value and true,
// or the time at which it stopped waiting and false.
func Receive(in <-chan int, d time.Duration) (int, time.Time, bool) {
	select {
	case v := <-in:
		return v, time.Time{}, true
	case now := <-time.After(d):
		return 0, now, false
	}
}

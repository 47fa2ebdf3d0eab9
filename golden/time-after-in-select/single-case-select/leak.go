package leak

import "time"

// Pause blocks for d and returns the time at which it woke up. The select
// has a single clause, so it always waits for the timer to fire: this is
// time.Sleep, not a leak.
func Pause(d time.Duration) time.Time {
	select {
	case now := <-time.After(d):
		return now
	}
}

package leak

import "time"

// Watch calls check once an hour until stop is closed, and returns how many
// times it called check.
func Watch(stop <-chan struct{}, check func()) int {
	tick := time.Tick(time.Hour)
	n := 0
	for {
		select {
		case <-tick:
			check()
			n++
		case <-stop:
			return n
		}
	}
}

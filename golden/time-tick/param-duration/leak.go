package leak

import "time"

// Watch calls check once every period until stop is closed, and returns how
// many times it called check.
func Watch(stop <-chan struct{}, every time.Duration, check func()) int {
	tick := time.Tick(every)
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

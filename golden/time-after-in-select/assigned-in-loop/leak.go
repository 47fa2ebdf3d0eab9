package leak

import "time"

// Sum adds up the values from c until it is closed, or until no value has
// come for idle. The timeout channel is set up each round before the select
// (shape 10 of the analysis issue): each round's timer stays in memory until
// it fires.
func Sum(c <-chan int, idle time.Duration) (total int, timedOut bool) {
	for {
		timeout := time.After(idle)
		select {
		case v, ok := <-c:
			if !ok {
				return total, false
			}
			total += v
		case <-timeout:
			return total, true
		}
	}
}

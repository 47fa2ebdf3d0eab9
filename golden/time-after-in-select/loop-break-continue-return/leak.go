package leak

import "time"

// Stats counts what Drain did.
type Stats struct {
	Seen    int // events and idle periods, not counting skipped events
	Handled int // positive events
	Idle    int // periods of idle without an event
}

// Drain reads events until events is closed or quit is closed. Negative
// events are skipped, zero events are seen but not handled.
func Drain(events <-chan int, quit <-chan struct{}, idle time.Duration) Stats {
	var s Stats
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return s
			}
			if e < 0 {
				continue
			}
			if e == 0 {
				break
			}
			s.Handled++
		case <-quit:
			return s
		case <-time.After(idle):
			s.Idle++
		}
		s.Seen++
	}
}

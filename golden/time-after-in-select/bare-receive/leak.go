package leak

import "time"

// Retry calls op up to attempts times, waiting delay after each failure, and
// returns the last error. The wait is a plain receive that always lasts
// until the timer fires, so no timer is left behind.
func Retry(attempts int, delay time.Duration, op func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		<-time.After(delay)
	}
	return err
}

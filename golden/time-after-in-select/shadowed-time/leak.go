package leak

import (
	"context"
	"time"
)

// Clock is the part of a clock that the waits below need; tests pass a fake.
type Clock interface {
	After(d time.Duration) <-chan time.Time
}

// Wait waits until the clock says d has passed or ctx is done. The parameter
// named time shadows the package: time.After here is Clock.After.
func Wait(ctx context.Context, time Clock, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Service waits on its own clock.
type Service struct {
	Clock Clock
}

// Pause is Wait on the service's clock. The local variable named time
// shadows the package: time.After here is Clock.After.
func (s *Service) Pause(ctx context.Context, d time.Duration) bool {
	time := s.Clock
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

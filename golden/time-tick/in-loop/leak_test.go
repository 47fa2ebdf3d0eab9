package leak

import (
	"testing"
	"time"
)

func TestRunTakesEveryStep(t *testing.T) {
	phases := []Phase{
		{Every: time.Millisecond, Steps: 3},
		{Every: 2 * time.Millisecond, Steps: 2},
	}
	never := make(chan struct{})
	steps := 0
	if n := Run(phases, never, func() { steps++ }); n != 5 || steps != 5 {
		t.Fatalf("Run = %d with %d calls of step, want 5 and 5", n, steps)
	}
}

func TestRunStops(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	phases := []Phase{{Every: time.Hour, Steps: 3}}
	if n := Run(phases, stop, func() { t.Error("step after stop") }); n != 0 {
		t.Fatalf("Run(stopped) = %d, want 0", n)
	}
}

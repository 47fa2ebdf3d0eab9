package leak

import (
	"testing"
	"time"
)

// Every kill signal must reach a worker, even one that starts after Shrink:
// dropping a signal leaves a worker running that should have stopped.
func TestEveryKillSignalStopsAWorker(t *testing.T) {
	p := NewPool()
	p.Shrink(3)
	stopped := make(chan struct{}, 3)
	for i := 0; i < 3; i++ {
		go func() {
			p.Work()
			stopped <- struct{}{}
		}()
	}
	deadline := time.After(5 * time.Second)
	for i := 0; i < 3; i++ {
		select {
		case <-stopped:
		case <-deadline:
			t.Fatalf("only %d of 3 workers stopped: kill signals were dropped", i)
		}
	}
}

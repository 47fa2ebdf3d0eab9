package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestNotifyAfterStopDoesNotBlockItsCaller(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	handled := make(chan int, 1)
	n := NewNotifier(func(e int) { handled <- e })
	n.Notify(1)
	if got := <-handled; got != 1 {
		t.Fatalf("handled %d, want 1", got)
	}
	n.Stop()
	done := make(chan struct{})
	go func() {
		n.Notify(2)
		n.Notify(3)
		close(done)
	}()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

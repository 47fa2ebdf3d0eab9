package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestStoppedPublishLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	done := make(chan struct{})
	// Nobody ever receives from these channels.
	Publish(done, []chan<- string{make(chan string), make(chan string)}, "event")
	close(done)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestPublishDeliversToLateReceivers(t *testing.T) {
	a, b := make(chan string), make(chan string)
	Publish(make(chan struct{}), []chan<- string{a, b}, "event")
	if got := <-a + <-b; got != "eventevent" {
		t.Errorf("received %q, want eventevent", got)
	}
}

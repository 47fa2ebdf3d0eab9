package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestFanoutWithoutReceiversLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	// Nobody ever receives from these channels.
	Fanout([]chan<- int{make(chan int), make(chan int)}, 1)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestFanoutDeliversToRoomyChannels(t *testing.T) {
	a, b := make(chan int, 1), make(chan int, 1)
	Fanout([]chan<- int{a, b}, 7)
	if got := <-a + <-b; got != 14 {
		t.Errorf("received %d in all, want 14", got)
	}
}

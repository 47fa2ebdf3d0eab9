package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestBroadcastWithoutReceiversLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	// Nobody ever receives from these channels.
	Broadcast([]chan int{make(chan int), make(chan int), make(chan int)}, 1)
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestBroadcastDeliversToRoomyChannels(t *testing.T) {
	channels := []chan int{make(chan int, 1), make(chan int, 1)}
	Broadcast(channels, 7)
	for i, c := range channels {
		if got := <-c; got != 7 {
			t.Errorf("channels[%d] received %d, want 7", i, got)
		}
	}
}

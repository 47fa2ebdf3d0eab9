package leak

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestCancelledBroadcastLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	// Nobody ever receives from these channels.
	Broadcast(ctx, []chan int{make(chan int), make(chan int), make(chan int)}, 1)
	cancel()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestBroadcastDeliversToLateReceivers(t *testing.T) {
	channels := []chan int{make(chan int), make(chan int)}
	Broadcast(context.Background(), channels, 7)
	for i, c := range channels {
		if got := <-c; got != 7 {
			t.Errorf("channels[%d] received %d, want 7", i, got)
		}
	}
}

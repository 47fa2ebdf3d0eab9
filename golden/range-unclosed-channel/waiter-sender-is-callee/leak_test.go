package leak

import (
	"slices"
	"testing"

	"go.uber.org/goleak"
)

func TestTheWatcherEndsAfterTheLastEvent(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	logged := make(chan string, 3)
	done := make(chan struct{}, 1)
	Watch([]string{"a", "b", "c"}, func(s string) { logged <- s }, func() { done <- struct{}{} })
	if err := goleak.Find(ignore); err != nil {
		t.Fatalf("goroutine leak: %v", err)
	}
	<-done
	close(logged)
	var got []string
	for s := range logged {
		got = append(got, s)
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("logged %v, want [a b c]", got)
	}
}

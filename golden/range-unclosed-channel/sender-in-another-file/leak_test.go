package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestTheWatcherEndsAfterTheLastEvent(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	logged := make(chan string, 2)
	Watch([]string{"a", "b"}, func(s string) { logged <- s })
	if err := goleak.Find(ignore); err != nil {
		t.Fatalf("goroutine leak: %v", err)
	}
	if a, b := <-logged, <-logged; a != "a" || b != "b" {
		t.Errorf("logged %q, %q; want a, b", a, b)
	}
}

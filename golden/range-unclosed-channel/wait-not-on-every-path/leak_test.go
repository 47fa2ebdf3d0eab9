package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestProcessHandlesEveryItem checks what Process does. Its consumer
// goroutine never ends (nothing closes c), so this test does not ask for no
// leak at all: it only checks that no sender is left behind.
func TestProcessHandlesEveryItem(t *testing.T) {
	for _, limit := range []int{10, 1} {
		ignore := goleak.IgnoreCurrent()
		handled := make(chan int, 3)
		err := Process([]int{1, 2, 3}, limit, func(v int) { handled <- v })
		if (err != nil) != (limit < 3) {
			t.Errorf("Process(limit %d) = %v", limit, err)
		}
		sum := 0
		for range 3 {
			sum += <-handled
		}
		if sum != 6 {
			t.Errorf("limit %d: handled items add up to %d, want 6", limit, sum)
		}
		consumer := goleak.IgnoreTopFunction("example.com/wait-not-on-every-path.Process.func1")
		if err := goleak.Find(ignore, consumer); err != nil {
			t.Errorf("limit %d: goroutine leak besides the consumer: %v", limit, err)
		}
	}
}

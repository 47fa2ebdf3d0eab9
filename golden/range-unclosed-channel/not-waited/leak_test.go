package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestPipeHandlesEveryItem checks what Pipe does. Its consumer goroutine
// never ends (nothing closes c), so this test does not ask for no leak at
// all: it only checks that nothing else is left behind.
func TestPipeHandlesEveryItem(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	handled := make(chan int, 3)
	Pipe([]int{1, 2, 3}, func(v int) { handled <- v })
	for want := 1; want <= 3; want++ {
		if got := <-handled; got != want {
			t.Errorf("handled %d, want %d", got, want)
		}
	}
	consumer := goleak.IgnoreTopFunction("example.com/not-waited.Pipe.func2")
	if err := goleak.Find(ignore, consumer); err != nil {
		t.Errorf("goroutine leak besides the consumer: %v", err)
	}
}

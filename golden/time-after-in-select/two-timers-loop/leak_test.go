package leak

import (
	"runtime"
	"testing"
	"time"
)

// maxHeldPerCall is the most heap a call may leave reachable. A timer left
// running holds about 200 bytes; a stopped one holds nothing.
const maxHeldPerCall = 64

// heldBytes runs f and reports how many bytes of heap are still reachable
// afterwards. A timer that was never stopped stays reachable from the
// runtime's timer heap until it fires (the behaviour for modules whose go.mod
// says go 1.22), so timers of an hour show up here.
func heldBytes(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// filled returns a closed channel holding n messages, so that Consume loops
// n times through its message case and then returns.
func filled(n int) <-chan string {
	in := make(chan string, n)
	for i := 0; i < n; i++ {
		in <- "message"
	}
	close(in)
	return in
}

func TestConsumeDoesNotLeakTimers(t *testing.T) {
	const messages = 20000
	var got, idles int
	held := heldBytes(func() {
		got, idles = Consume(filled(messages), time.Hour, 2*time.Hour)
	})
	if got != messages || idles != 0 {
		t.Fatalf("Consume = (%d, %d), want (%d, 0)", got, idles, messages)
	}
	perCall := held / messages
	t.Logf("%d bytes held per iteration", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per iteration after %d iterations (limit %d): the timers of each iteration are never stopped", perCall, messages, maxHeldPerCall)
	}
}

func TestConsumeGivesUp(t *testing.T) {
	// Nothing is ever sent on in, so the give-up timer ends the wait; the
	// idle timer of an hour never fires.
	in := make(chan string)
	if got, idles := Consume(in, time.Hour, time.Millisecond); got != 0 || idles != 0 {
		t.Fatalf("Consume(silent, 1h, 1ms) = (%d, %d), want (0, 0)", got, idles)
	}
}

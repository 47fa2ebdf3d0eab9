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

// events returns a closed channel holding n events that cycle through -1, 0
// and 1, so Drain takes its continue, break and fall-through paths in turn
// and finally its return path.
func events(n int) <-chan int {
	c := make(chan int, n)
	for i := 0; i < n; i++ {
		c <- i%3 - 1
	}
	close(c)
	return c
}

func TestDrainDoesNotLeakTimers(t *testing.T) {
	const n = 30000
	never := make(chan struct{})
	var s Stats
	held := heldBytes(func() {
		s = Drain(events(n), never, time.Hour)
	})
	if want := (Stats{Seen: 2 * n / 3, Handled: n / 3}); s != want {
		t.Fatalf("Drain = %+v, want %+v", s, want)
	}
	perCall := held / (n + 1)
	t.Logf("%d bytes held per iteration", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per iteration after %d iterations (limit %d): the timer of each iteration is never stopped", perCall, n+1, maxHeldPerCall)
	}
}

func TestDrainQuitDoesNotLeakTimers(t *testing.T) {
	quit := make(chan struct{})
	close(quit)
	never := make(chan int)
	const calls = 20000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if s := Drain(never, quit, time.Hour); s != (Stats{}) {
				t.Fatalf("Drain(quit) = %+v, want zero Stats", s)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls that quit at once (limit %d): the timer is never stopped", perCall, calls, maxHeldPerCall)
	}
}

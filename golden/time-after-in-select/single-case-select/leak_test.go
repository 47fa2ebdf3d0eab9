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

func TestPauseDoesNotLeakTimers(t *testing.T) {
	// Warm up: the first wait allocates runtime state that is kept for good.
	Pause(time.Microsecond)
	const calls = 1000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			start := time.Now()
			if woke := Pause(time.Microsecond); woke.Before(start) {
				t.Fatalf("Pause woke at %v, before it started at %v", woke, start)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d)", perCall, calls, maxHeldPerCall)
	}
}

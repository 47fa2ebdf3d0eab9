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

func TestReceiveDoesNotLeakTimers(t *testing.T) {
	in := make(chan int, 1)
	const calls = 20000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			in <- i
			if v, _, ok := Receive(in, time.Hour); !ok || v != i {
				t.Fatalf("Receive = (%d, %v), want (%d, true)", v, ok, i)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls that received a value (limit %d): the timer is never stopped", perCall, calls, maxHeldPerCall)
	}
}

func TestReceiveTimesOut(t *testing.T) {
	start := time.Now()
	v, at, ok := Receive(make(chan int), time.Millisecond)
	if ok || v != 0 {
		t.Fatalf("Receive(silent, 1ms) = (%d, %v), want (0, false)", v, ok)
	}
	if at.Before(start) {
		t.Fatalf("Receive(silent, 1ms) stopped at %v, before it started at %v", at, start)
	}
}

package leak

import (
	"runtime"
	"testing"
	"time"
)

// maxHeldPerCall is the most heap a call may leave reachable. A ticker left
// running holds about 200 bytes; a stopped one holds nothing.
const maxHeldPerCall = 64

// heldBytes runs f and reports how many bytes of heap are still reachable
// afterwards. A ticker that was never stopped stays reachable from the
// runtime's timer heap forever (the behaviour for modules whose go.mod
// says go 1.22), so every ticker left running shows up here.
func heldBytes(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func TestWatchDoesNotLeakTickers(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	const calls = 20000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if n := Watch(stop, time.Hour, func() {}); n != 0 {
				t.Fatalf("Watch(stopped, 1h) checked %d times, want 0", n)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls that stopped at once (limit %d): the ticker is never stopped", perCall, calls, maxHeldPerCall)
	}
}

func TestWatchTicks(t *testing.T) {
	// The third check closes stop. Watch may still take a tick that is
	// already due before it sees stop, so it returns at least 3.
	stop := make(chan struct{})
	checks := 0
	n := Watch(stop, time.Millisecond, func() {
		checks++
		if checks == 3 {
			close(stop)
		}
	})
	if n < 3 || n != checks {
		t.Fatalf("Watch returned %d after %d checks, want the same number, at least 3", n, checks)
	}
}

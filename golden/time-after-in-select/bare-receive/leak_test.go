package leak

import (
	"errors"
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

var errBusy = errors.New("busy")

// failTwice returns an op that fails twice and then succeeds.
func failTwice() func() error {
	calls := 0
	return func() error {
		calls++
		if calls <= 2 {
			return errBusy
		}
		return nil
	}
}

func TestRetryDoesNotLeakTimers(t *testing.T) {
	// Warm up: the first wait allocates runtime state that is kept for good.
	Retry(5, time.Microsecond, failTwice())
	const calls = 500
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if err := Retry(5, time.Microsecond, failTwice()); err != nil {
				t.Fatalf("Retry = %v, want nil", err)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d)", perCall, calls, maxHeldPerCall)
	}
}

func TestRetryGivesUp(t *testing.T) {
	if err := Retry(2, time.Microsecond, failTwice()); !errors.Is(err, errBusy) {
		t.Fatalf("Retry(2) = %v, want %v", err, errBusy)
	}
}

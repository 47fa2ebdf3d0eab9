package leak

import (
	"context"
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

func TestWaitOrCancelDoesNotLeakTimers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	const calls = 20000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if err := WaitOrCancel(ctx, time.Hour); !errors.Is(err, context.Canceled) {
				t.Fatalf("WaitOrCancel(cancelled, 1h) = %v, want context.Canceled", err)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls with a cancelled context (limit %d): the timer is never stopped", perCall, calls, maxHeldPerCall)
	}
}

func TestWaitOrCancelWaits(t *testing.T) {
	if err := WaitOrCancel(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("WaitOrCancel(background, 1ms) = %v, want nil", err)
	}
}

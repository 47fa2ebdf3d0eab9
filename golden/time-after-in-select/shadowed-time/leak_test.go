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

// fakeClock never fires unless the test closes its channel; it starts no
// runtime timer.
type fakeClock struct {
	c chan time.Time
}

func (f fakeClock) After(time.Duration) <-chan time.Time { return f.c }

func TestWaitHoldsNoTimers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock := fakeClock{c: make(chan time.Time)}
	s := &Service{Clock: clock}
	const calls = 20000
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if err := Wait(ctx, clock, time.Hour); !errors.Is(err, context.Canceled) {
				t.Fatalf("Wait(cancelled) = %v, want context.Canceled", err)
			}
			if s.Pause(ctx, time.Hour) {
				t.Fatal("Pause(cancelled) = true, want false")
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d)", perCall, calls, maxHeldPerCall)
	}
}

func TestWaitUsesTheClock(t *testing.T) {
	clock := fakeClock{c: make(chan time.Time)}
	close(clock.c)
	if err := Wait(context.Background(), clock, time.Hour); err != nil {
		t.Fatalf("Wait(fired clock) = %v, want nil", err)
	}
	s := &Service{Clock: clock}
	if !s.Pause(context.Background(), time.Hour) {
		t.Fatal("Pause(fired clock) = false, want true")
	}
}

package leak

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// maxHeldPerCall is the most heap a call may leave reachable.
const maxHeldPerCall = 64

// heldBytes runs f and reports how many bytes of heap are still reachable
// afterwards.
func heldBytes(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func TestPingDoesNotLeakContexts(t *testing.T) {
	const calls = 20000
	ok := func(context.Context) error { return nil }
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if err := Ping(context.Background(), ok); err != nil {
				t.Fatalf("Ping = %v", err)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d)", perCall, calls, maxHeldPerCall)
	}
}

func TestPingBehaviour(t *testing.T) {
	errDown := errors.New("down")
	for _, want := range []error{nil, errDown} {
		var seen context.Context
		err := Ping(context.Background(), func(ctx context.Context) error {
			seen = ctx
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return want
		})
		if err != want {
			t.Errorf("Ping = %v, want %v", err, want)
		}
		if seen.Err() != context.Canceled {
			t.Errorf("after Ping returned, its context's Err() = %v, want context.Canceled", seen.Err())
		}
	}
}

package leak

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// maxHeldPerCall is the most heap a call may leave reachable. A context
// whose cancel is never called stays reachable with its timer (or from its
// parent) until the deadline passes or the parent is cancelled: a few hundred
// bytes a call. One that is cancelled leaves nothing.
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
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d): the context and its hour-long timer are never released", perCall, calls, maxHeldPerCall)
	}
}

func TestPingBehaviour(t *testing.T) {
	errDown := errors.New("down")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		parent  context.Context
		result  error
		wantErr error
		wantCtx error // ctx.Err() while check runs
	}{
		{"ok", context.Background(), nil, nil, nil},
		{"failing check", context.Background(), errDown, errDown, nil},
		{"cancelled parent", cancelled, nil, nil, context.Canceled},
	}
	for _, tt := range tests {
		var ctxErr error
		var deadline time.Time
		err := Ping(tt.parent, func(ctx context.Context) error {
			ctxErr = ctx.Err()
			deadline, _ = ctx.Deadline()
			return tt.result
		})
		if err != tt.wantErr || ctxErr != tt.wantCtx {
			t.Errorf("%s: Ping = %v, ctx.Err() in check = %v; want %v, %v", tt.name, err, ctxErr, tt.wantErr, tt.wantCtx)
		}
		if left := time.Until(deadline); left < 59*time.Minute || left > time.Hour {
			t.Errorf("%s: check saw a deadline %v away, want about an hour", tt.name, left)
		}
	}
}

package leak

import (
	"context"
	"runtime"
	"testing"
)

// maxHeldPerCall is the most heap a call may leave reachable. A child of a
// cancellable context stays registered in its parent until one of them is
// cancelled: about a hundred bytes a call. A cancelled child leaves nothing.
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

func TestWatchDoesNotLeakContexts(t *testing.T) {
	const calls = 20000
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	poll := func(context.Context) int { return 1 }
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if got := Watch(parent, poll); got != 1 {
				t.Fatalf("Watch = %d, want 1", got)
			}
		}
	})
	runtime.KeepAlive(parent)
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d): every child context stays registered in its parent", perCall, calls, maxHeldPerCall)
	}
}

func TestWatchBehaviour(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		parent  context.Context
		wantCtx error // ctx.Err() while poll runs
	}{
		{"background", context.Background(), nil},
		{"cancelled parent", cancelled, context.Canceled},
	}
	for _, tt := range tests {
		var ctxErr error
		got := Watch(tt.parent, func(ctx context.Context) int {
			ctxErr = ctx.Err()
			return 7
		})
		if got != 7 || ctxErr != tt.wantCtx {
			t.Errorf("%s: Watch = %d, ctx.Err() in poll = %v; want 7, %v", tt.name, got, ctxErr, tt.wantCtx)
		}
	}

	// The context poll gets is cancelled with its parent while poll runs.
	parent, cancelParent := context.WithCancel(context.Background())
	var errAfter error
	Watch(parent, func(ctx context.Context) int {
		cancelParent()
		<-ctx.Done()
		errAfter = ctx.Err()
		return 0
	})
	if errAfter != context.Canceled {
		t.Errorf("after the parent is cancelled, ctx.Err() in poll = %v, want context.Canceled", errAfter)
	}
}

package leak

import (
	"context"
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

// A caller that calls the returned cancel leaves nothing behind.
func TestNewJobDoesNotLeakContexts(t *testing.T) {
	const calls = 20000
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			_, cancel := NewJob(parent, "j")
			cancel()
		}
	})
	runtime.KeepAlive(parent)
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d calls (limit %d)", perCall, calls, maxHeldPerCall)
	}
}

func TestNewJobBehaviour(t *testing.T) {
	job, cancel := NewJob(context.Background(), "build")
	if job.Name != "build" {
		t.Errorf("job.Name = %q, want build", job.Name)
	}
	if err := job.Ctx.Err(); err != nil {
		t.Fatalf("a new job's context is already done: %v", err)
	}
	cancel()
	if err := job.Ctx.Err(); err != context.Canceled {
		t.Errorf("after cancel, the job's context Err() = %v, want context.Canceled", err)
	}

	parent, cancelParent := context.WithCancel(context.Background())
	job, cancel = NewJob(parent, "test")
	defer cancel()
	cancelParent()
	if err := job.Ctx.Err(); err != context.Canceled {
		t.Errorf("after the parent is cancelled, the job's context Err() = %v, want context.Canceled", err)
	}
}

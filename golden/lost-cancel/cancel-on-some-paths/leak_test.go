package leak

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// maxHeldPerCall is the most heap a call may leave reachable. A context
// whose cancel is never called stays reachable with its timer until the
// deadline passes: a few hundred bytes a call. One that is cancelled leaves
// nothing.
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

func TestQueryDoesNotLeakContexts(t *testing.T) {
	const calls = 20000
	q := func(context.Context) (int, error) { return 3, nil }
	held := heldBytes(func() {
		for i := 0; i < calls; i++ {
			if n, err := Query(context.Background(), q); n != 3 || err != nil {
				t.Fatalf("Query = %d, %v; want 3, nil", n, err)
			}
		}
	})
	perCall := held / calls
	t.Logf("%d bytes held per call", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per call after %d successful queries (limit %d): the context and its hour-long timer are never released", perCall, calls, maxHeldPerCall)
	}
}

func TestQueryBehaviour(t *testing.T) {
	errDown := errors.New("down")
	tests := []struct {
		name    string
		n       int
		err     error
		wantN   int
		wantErr error
	}{
		{"success", 3, nil, 3, nil},
		{"failure", 3, errDown, 0, errDown},
	}
	for _, tt := range tests {
		var ctxErr error
		var hasDeadline bool
		n, err := Query(context.Background(), func(ctx context.Context) (int, error) {
			ctxErr = ctx.Err()
			_, hasDeadline = ctx.Deadline()
			return tt.n, tt.err
		})
		if n != tt.wantN || err != tt.wantErr || ctxErr != nil || !hasDeadline {
			t.Errorf("%s: Query = %d, %v, ctx.Err() in q = %v, deadline %v; want %d, %v, nil, true", tt.name, n, err, ctxErr, hasDeadline, tt.wantN, tt.wantErr)
		}
	}
}

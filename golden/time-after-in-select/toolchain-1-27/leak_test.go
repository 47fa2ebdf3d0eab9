package leak

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
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

// goMinor returns the minor version of the toolchain running the test (26
// for go1.26.8, 27 for "devel go1.27-abcdef ..."), or -1 when
// runtime.Version does not say.
func goMinor() int {
	v := runtime.Version()
	i := strings.Index(v, "go1.")
	if i < 0 {
		return -1
	}
	v = v[i+len("go1."):]
	end := 0
	for end < len(v) && '0' <= v[end] && v[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(v[:end])
	if err != nil {
		return -1
	}
	return n
}

func TestWaitOrCancelDoesNotLeakTimers(t *testing.T) {
	// go.mod says go 1.22, which keeps the old timer behaviour on toolchains
	// before Go 1.27; Go 1.27 made collectable timers unconditional. The
	// toolchain go1.27.0 line asks for such a toolchain, but a local older
	// one (GOTOOLCHAIN=local) still builds the module with the leak.
	if minor := goMinor(); minor < 27 {
		t.Skipf("built by %s, older than go1.27 (go.mod: toolchain go1.27.0): unstopped timers are still kept until they fire under go 1.22 semantics, so there is nothing to prove here", runtime.Version())
	}
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
		t.Errorf("leak: %d bytes held per call after %d calls with a cancelled context (limit %d): built by %s, timers should be collectable", perCall, calls, maxHeldPerCall, runtime.Version())
	}
}

func TestWaitOrCancelWaits(t *testing.T) {
	if err := WaitOrCancel(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("WaitOrCancel(background, 1ms) = %v, want nil", err)
	}
}

package leak

import (
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

func TestCollectDoesNotLeakTimers(t *testing.T) {
	// The channel starts empty, so Collect takes its default clause; poll
	// then puts the next value in (or closes the channel), so the next
	// iteration takes the receive clause. Both paths run n times.
	const n = 10000
	in := make(chan int, 1)
	next := 0
	poll := func() {
		if next == n {
			close(in)
			return
		}
		in <- next
		next++
	}
	var out []int
	held := heldBytes(func() {
		out = Collect(in, time.Hour, poll)
	})
	if len(out) != n || out[n-1] != n-1 {
		t.Fatalf("Collect returned %d values, want %d", len(out), n)
	}
	// out itself stays reachable: subtract its backing array.
	held -= int64(cap(out)) * 8
	iterations := int64(2*n + 2)
	perCall := held / iterations
	t.Logf("%d bytes held per iteration", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per iteration after %d iterations (limit %d): the timer of each iteration is never stopped", perCall, iterations, maxHeldPerCall)
	}
}

func TestCollectStopsWhenClosed(t *testing.T) {
	in := make(chan int)
	close(in)
	if out := Collect(in, time.Hour, func() {}); len(out) != 0 {
		t.Fatalf("Collect(closed) = %v, want nothing", out)
	}
}

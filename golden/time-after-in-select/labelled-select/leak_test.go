package leak

import (
	"runtime"
	"slices"
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

// values returns a closed channel holding n values that alternate between
// -1 and their index, so Batch takes its break path every other iteration.
func values(n int) <-chan int {
	c := make(chan int, n)
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			c <- -1
		} else {
			c <- i
		}
	}
	close(c)
	return c
}

func TestBatchDoesNotLeakTimers(t *testing.T) {
	const n = 20000
	var batch []int
	held := heldBytes(func() {
		batch = Batch(values(n), n, time.Hour)
	})
	if len(batch) != n/2 || batch[0] != 1 {
		t.Fatalf("Batch returned %d values starting %v, want %d starting 1", len(batch), batch[:1], n/2)
	}
	// batch itself stays reachable: subtract its backing array.
	held -= int64(cap(batch)) * 8
	perCall := held / (n + 1)
	t.Logf("%d bytes held per iteration", perCall)
	if perCall > maxHeldPerCall {
		t.Errorf("leak: %d bytes held per iteration after %d iterations (limit %d): the timer of each iteration is never stopped", perCall, n+1, maxHeldPerCall)
	}
}

func TestBatchStopsAtSize(t *testing.T) {
	batch := Batch(values(10), 3, time.Hour)
	if want := []int{1, 3, 5}; !slices.Equal(batch, want) {
		t.Fatalf("Batch(values(10), 3) = %v, want %v", batch, want)
	}
}

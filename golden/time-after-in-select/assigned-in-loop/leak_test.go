package leak

import (
	"runtime"
	"testing"
	"time"
)

// maxHeldPerRound is the most heap a round may leave reachable. A timer left
// running holds about 200 bytes; a stopped one holds nothing.
const maxHeldPerRound = 64

func heldBytes(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func TestSumDoesNotLeakTimers(t *testing.T) {
	const n = 30000
	c := make(chan int, n)
	for i := 0; i < n; i++ {
		c <- 1
	}
	close(c)
	var total int
	held := heldBytes(func() { total, _ = Sum(c, time.Hour) })
	if total != n {
		t.Fatalf("Sum = %d, want %d", total, n)
	}
	perRound := held / n
	t.Logf("%d bytes held per round", perRound)
	if perRound > maxHeldPerRound {
		t.Errorf("leak: %d bytes held per round (limit %d): every round's timer stays until it fires", perRound, maxHeldPerRound)
	}
}

func TestSumTimesOut(t *testing.T) {
	if total, timedOut := Sum(make(chan int), time.Millisecond); total != 0 || !timedOut {
		t.Errorf("Sum(idle) = %d, %v, want 0, true", total, timedOut)
	}
}

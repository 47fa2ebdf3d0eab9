package leak

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
)

// maxHeldPerAddr is the most heap a ping may leave reachable. A context whose
// cancel is never called stays reachable with its hour-long timer: a few
// hundred bytes. One that is cancelled leaves nothing.
const maxHeldPerAddr = 64

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

func addrs(n int) []string {
	a := make([]string, n)
	for i := range a {
		a[i] = fmt.Sprintf("10.0.0.%d", i)
	}
	return a
}

// Leak 1 (lost-cancel): contexts outlive PingAll.
func TestPingAllDoesNotLeakContextsAfterReturn(t *testing.T) {
	all := addrs(20000)
	ok := func(context.Context, string) error { return nil }
	held := heldBytes(func() {
		if got := PingAll(context.Background(), all, ok); got != len(all) {
			t.Fatalf("PingAll = %d, want %d", got, len(all))
		}
	})
	perAddr := held / int64(len(all))
	t.Logf("%d bytes held per address", perAddr)
	if perAddr > maxHeldPerAddr {
		t.Errorf("leak: %d bytes held per address after PingAll returned (limit %d): the contexts and their hour-long timers are never released", perAddr, maxHeldPerAddr)
	}
}

// Leak 2 (defer-in-loop, after the lost-cancel fix alone): contexts pile up
// while PingAll runs.
func TestPingAllDoesNotLeakContextsWhileRunning(t *testing.T) {
	var ctxs []context.Context
	maxLive := 0
	ping := func(ctx context.Context, _ string) error {
		ctxs = append(ctxs, ctx)
		live := 0
		for _, c := range ctxs {
			if c.Err() == nil {
				live++
			}
		}
		maxLive = max(maxLive, live)
		return nil
	}
	all := addrs(50)
	PingAll(context.Background(), all, ping)
	if maxLive > 1 {
		t.Errorf("leak: %d contexts live at once while pinging %d addresses; each should be cancelled before the next ping", maxLive, len(all))
	}
}

func TestPingAllBehaviour(t *testing.T) {
	errDown := errors.New("down")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		parent     context.Context
		addrs      []string
		want       int
		wantPinged []string
	}{
		{context.Background(), nil, 0, nil},
		{context.Background(), []string{"a", "b"}, 2, []string{"a", "b"}},
		{context.Background(), []string{"a", "down", "b"}, 2, []string{"a", "down", "b"}},
		{context.Background(), []string{"down"}, 0, []string{"down"}},
		{cancelled, []string{"a", "b"}, 0, []string{"a", "b"}},
	}
	for _, tt := range tests {
		var pinged []string
		got := PingAll(tt.parent, tt.addrs, func(ctx context.Context, addr string) error {
			pinged = append(pinged, addr)
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if addr == "down" {
				return errDown
			}
			return nil
		})
		if got != tt.want || !slices.Equal(pinged, tt.wantPinged) {
			t.Errorf("PingAll(%q) = %d, pinged %q; want %d, pinged %q", tt.addrs, got, pinged, tt.want, tt.wantPinged)
		}
	}
}

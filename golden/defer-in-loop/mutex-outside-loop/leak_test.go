package leak

import (
	"fmt"
	"maps"
	"sync"
	"testing"
)

// countingLocker is a sync.Locker that never blocks: it counts how many times
// it is held. A sync.Mutex taken a second time without an Unlock would block
// forever instead, so this is how the test sees the pile-up without hanging.
type countingLocker struct {
	held    int // Lock calls not yet matched by Unlock
	maxHeld int // the most that were pending at once
	locks   int // Lock calls in all
}

func (l *countingLocker) Lock() {
	l.held++
	l.locks++
	l.maxHeld = max(l.maxHeld, l.held)
}

func (l *countingLocker) Unlock() {
	if l.held == 0 {
		panic("Unlock of an unlocked countingLocker")
	}
	l.held--
}

func TestAddAllDoesNotLeakLocks(t *testing.T) {
	var events []string
	for i := 0; i < 50; i++ {
		events = append(events, fmt.Sprintf("e%02d", i))
	}
	l := &countingLocker{}
	AddAll(l, map[string]int{}, events)
	if l.maxHeld > 1 {
		t.Errorf("leak: the lock was held %d times at once over %d events (a sync.Mutex would deadlock on the second); each Unlock should come before the next Lock", l.maxHeld, len(events))
	}
}

func TestAddAllBehaviour(t *testing.T) {
	tests := []struct {
		events    []string
		want      map[string]int
		wantLocks int
	}{
		{nil, map[string]int{}, 0},
		{[]string{"a"}, map[string]int{"a": 1}, 1},
		{[]string{"a", "b", "a"}, map[string]int{"a": 2, "b": 1}, 3},
		{[]string{"", "a", ""}, map[string]int{"a": 1}, 1},
		{[]string{"", ""}, map[string]int{}, 0},
	}
	for _, tt := range tests {
		l := &countingLocker{}
		got := map[string]int{}
		AddAll(l, got, tt.events)
		if !maps.Equal(got, tt.want) || l.locks != tt.wantLocks || l.held != 0 {
			t.Errorf("AddAll(%q) = %v with %d locks, %d still held; want %v with %d locks, none held", tt.events, got, l.locks, l.held, tt.want, tt.wantLocks)
		}
	}
}

// With a real sync.Mutex and at most one event that is not blank, the input
// does not deadlock either, so both must behave the same.
func TestAddAllBehaviourWithMutex(t *testing.T) {
	for _, events := range [][]string{nil, {"a"}, {"", "a", ""}} {
		var mu sync.Mutex
		got := map[string]int{}
		AddAll(&mu, got, events)
		if !mu.TryLock() {
			t.Errorf("AddAll(%q) left the mutex locked", events)
			continue
		}
		mu.Unlock()
		want := map[string]int{}
		for _, e := range events {
			if e != "" {
				want[e]++
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("AddAll(%q) = %v, want %v", events, got, want)
		}
	}
}

package leak

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// cache is a fake Cache that counts pinned entries.
type cache struct {
	values    map[string]int
	pinned    int      // entries pinned now
	maxPinned int      // the most entries pinned at once
	acquired  []string // keys in the order they were acquired
	closed    []string // keys in the order they were closed
}

func (c *cache) Acquire(key string) Entry {
	c.pinned++
	c.maxPinned = max(c.maxPinned, c.pinned)
	c.acquired = append(c.acquired, key)
	return &entry{c: c, key: key}
}

type entry struct {
	c      *cache
	key    string
	closed bool
}

func (e *entry) Value() int {
	if e.closed {
		panic(fmt.Sprintf("entry %q read after Close", e.key))
	}
	return e.c.values[e.key]
}

func (e *entry) Close() error {
	e.c.closed = append(e.c.closed, e.key)
	if e.closed {
		return fmt.Errorf("entry %q closed twice", e.key)
	}
	e.closed = true
	e.c.pinned--
	return nil
}

func TestCopyDoesNotLeakEntries(t *testing.T) {
	c := &cache{values: map[string]int{}}
	var keys []string
	for i := 0; i < 50; i++ {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	Copy(c, keys, map[string]int{})
	if c.maxPinned > 1 {
		t.Errorf("leak: %d entries pinned at once while copying %d entries; each should be closed before the next is acquired", c.maxPinned, len(keys))
	}
}

func TestCopyBehaviour(t *testing.T) {
	tests := []struct {
		keys []string
		want map[string]int
	}{
		{nil, map[string]int{}},
		{[]string{"a"}, map[string]int{"a": 1}},
		{[]string{"a", "b", "nope"}, map[string]int{"a": 1, "b": 2, "nope": 0}},
		{[]string{"a", "a"}, map[string]int{"a": 1}},
	}
	for _, tt := range tests {
		c := &cache{values: map[string]int{"a": 1, "b": 2}}
		got := map[string]int{}
		Copy(c, tt.keys, got)
		if !maps.Equal(got, tt.want) || !slices.Equal(c.acquired, tt.keys) {
			t.Errorf("Copy(%q) = %v, acquired %q; want %v, acquired %q", tt.keys, got, c.acquired, tt.want, tt.keys)
		}
		closed := slices.Clone(c.closed)
		slices.Sort(closed)
		acquired := slices.Clone(c.acquired)
		slices.Sort(acquired)
		if c.pinned != 0 || !slices.Equal(closed, acquired) {
			t.Errorf("Copy(%q): acquired %q but closed %q", tt.keys, c.acquired, c.closed)
		}
	}
}

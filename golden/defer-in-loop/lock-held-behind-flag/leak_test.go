package leak

import (
	"sync"
	"testing"
)

func TestTheLockIsHeldFromTheFirstExclusiveItemOn(t *testing.T) {
	var mu sync.Mutex
	var held []bool
	apply := func(string) {
		free := mu.TryLock()
		if free {
			mu.Unlock()
		}
		held = append(held, !free)
	}
	ApplyAll(&mu, []string{"a", "x", "b", "c"}, func(s string) bool { return s == "x" }, apply)
	want := []bool{false, true, true, true}
	for i := range want {
		if held[i] != want[i] {
			t.Fatalf("lock held while applying: %v, want %v", held, want)
		}
	}
	if !mu.TryLock() {
		t.Fatal("the lock is still held after ApplyAll returned")
	}
}

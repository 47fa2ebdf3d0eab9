package leak

import (
	"sync"
	"testing"
)

func TestWithAllBehaviour(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		mus := make([]*sync.Mutex, n)
		for i := range mus {
			mus[i] = new(sync.Mutex)
		}
		ran := false
		WithAll(mus, func() {
			ran = true
			for i, m := range mus {
				if m.TryLock() {
					m.Unlock()
					t.Errorf("WithAll over %d mutexes: mutex %d is not held while f runs", n, i)
				}
			}
		})
		if !ran {
			t.Errorf("WithAll over %d mutexes did not run f", n)
		}
		for i, m := range mus {
			if !m.TryLock() {
				t.Errorf("WithAll over %d mutexes: mutex %d is still held after return", n, i)
				continue
			}
			m.Unlock()
		}
	}
}

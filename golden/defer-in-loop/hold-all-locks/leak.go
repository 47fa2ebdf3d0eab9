package leak

import "sync"

// WithAll locks every mutex in mus, runs f while holding them all, and then
// unlocks them. Holding every lock until the return is the point here.
func WithAll(mus []*sync.Mutex, f func()) {
	for _, m := range mus {
		m.Lock()
		defer m.Unlock()
	}
	f()
}

package leak

import "sync"

// ApplyAll applies every item. From the first item that needs exclusive
// access on, it holds mu until it returns. (Reduced from grpc-go's interop
// test utilities: a lock taken once behind a flag is held on purpose.)
func ApplyAll(mu *sync.Mutex, items []string, exclusive func(string) bool, apply func(string)) {
	locked := false
	for _, it := range items {
		if exclusive(it) && !locked {
			mu.Lock()
			locked = true
			defer mu.Unlock()
		}
		apply(it)
	}
}

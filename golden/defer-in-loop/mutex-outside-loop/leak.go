package leak

import "sync"

// AddAll counts every event that is not blank in counts, taking mu around
// each update.
func AddAll(mu sync.Locker, counts map[string]int, events []string) {
	for _, e := range events {
		if e == "" {
			continue
		}
		mu.Lock()
		defer mu.Unlock()
		counts[e]++
	}
}

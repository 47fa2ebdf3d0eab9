package leak

import "log"

// HandleAll passes every item to handle and returns how many it accepted.
// It logs each item it is done with.
func HandleAll(items []string, handle func(string) bool) int {
	accepted := 0
	for _, it := range items {
		defer log.Printf("done with %s", it)
		if !handle(it) {
			continue
		}
		accepted++
	}
	return accepted
}

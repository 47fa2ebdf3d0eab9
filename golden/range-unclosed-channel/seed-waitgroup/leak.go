package leak

import "sync"

// Example sends every item through c from its own goroutine, hands each to
// handle as it arrives, and returns once all of them have been handled.
func Example(items []any, handle func(any)) {
	wg := &sync.WaitGroup{}
	c := make(chan any, len(items))
	for _, data := range items {
		wg.Add(1)
		go func() {
			c <- data
		}()
	}
	go func() {
		for data := range c {
			handle(data)
			wg.Done()
		}
	}()
	wg.Wait()
}

package leak

import (
	"errors"
	"sync"
)

// Process sends items to handle through c from one goroutine per item. When
// there are too many items it returns without waiting for the senders, so a
// close deferred in Process could run while they are still sending.
func Process(items []int, limit int, handle func(int)) error {
	var wg sync.WaitGroup
	c := make(chan int)
	go func() {
		for v := range c {
			handle(v)
		}
	}()
	for _, item := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- item
		}()
	}
	if len(items) > limit {
		return errors.New("too many items")
	}
	wg.Wait()
	return nil
}

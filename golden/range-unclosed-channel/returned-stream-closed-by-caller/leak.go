package leak

import "sync"

// stream starts a consumer of the returned channel; the caller sends on it and
// closes it when done. (Reduced from minio's metacache stream, which WalkDir
// closes: a deferred close here makes WalkDir's sends panic.)
func stream(handle func(int), wg *sync.WaitGroup) chan int {
	objs := make(chan int, 100)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for o := range objs {
			handle(o)
		}
	}()
	return objs
}

// Walk sends every item to a stream, closes it and waits for the consumer.
func Walk(items []int, handle func(int)) {
	var wg sync.WaitGroup
	out := stream(handle, &wg)
	for _, it := range items {
		out <- it
	}
	close(out)
	wg.Wait()
}

package leak

// Example sends every item from its own goroutine and keeps the first one
// to arrive.
func Example(items []any) any {
	c := make(chan any)
	for _, i := range items {
		go func(c chan any) {
			c <- i
		}(c)
	}
	data := <-c
	return data
}

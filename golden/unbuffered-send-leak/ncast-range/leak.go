package leak

// First looks every item up concurrently and returns the first answer.
func First(items []string, lookup func(string) int) int {
	c := make(chan int)
	for _, item := range items {
		go func(item string) {
			c <- lookup(item)
		}(item)
	}
	return <-c
}

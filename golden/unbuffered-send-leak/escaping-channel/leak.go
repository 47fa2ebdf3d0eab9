package leak

// Start runs f in the background; the caller receives its result from the
// returned channel.
func Start(f func() int) <-chan int {
	c := make(chan int)
	go func() {
		c <- f()
	}()
	return c
}

// Collect runs f in the background and lets receive read its result.
func Collect(f func() int) int {
	c := make(chan int)
	go func() {
		c <- f()
	}()
	return receive(c)
}

func receive(c <-chan int) int {
	return <-c
}

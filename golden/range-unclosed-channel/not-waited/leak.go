package leak

// Pipe feeds items to handle in the background and returns at once. Nothing
// closes c and Pipe does not wait for the producer, so a close deferred in
// Pipe could run before the producer's sends: the rule only reports this.
func Pipe(items []int, handle func(int)) {
	c := make(chan int)
	go func() {
		for _, item := range items {
			c <- item
		}
	}()
	go func() {
		for v := range c {
			handle(v)
		}
	}()
}

package leak

// Pipeline feeds items from one goroutine to handle in another; the
// producer closes c when it is done, which ends the range.
func Pipeline(items []int, handle func(int)) {
	c := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(c)
		for _, item := range items {
			c <- item
		}
	}()
	go func() {
		defer close(done)
		for v := range c {
			handle(v)
		}
	}()
	<-done
}

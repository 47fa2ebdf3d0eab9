package leak

// Example waits for compute's result unless timeout is closed first.
func Example(timeout <-chan struct{}, compute func() any) (any, bool) {
	done := make(chan any)
	go func(c chan any) {
		c <- compute()
	}(done)
	select {
	case result := <-done:
		return result, true
	case <-timeout:
		return nil, false
	}
}

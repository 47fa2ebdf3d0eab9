package leak

// Sum adds up xs, which a background goroutine sends one by one, and gives
// up when stop is closed. The goroutine sends in a loop, so a buffer of 1
// would not let it finish after stop.
func Sum(xs []int, stop <-chan struct{}) (int, bool) {
	c := make(chan int)
	go func() {
		for _, x := range xs {
			c <- x
		}
	}()
	total := 0
	for range xs {
		select {
		case x := <-c:
			total += x
		case <-stop:
			return total, false
		}
	}
	return total, true
}

package leak

// Sum3 runs a, b and c concurrently and adds up their results.
func Sum3(a, b, c func() int) int {
	results := make(chan int)
	go func() {
		results <- a()
	}()
	go func() {
		results <- b()
	}()
	go func() {
		results <- c()
	}()
	return <-results + <-results + <-results
}

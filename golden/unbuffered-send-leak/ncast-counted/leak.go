package leak

// Fastest asks n replicas concurrently and returns the first answer; n must
// be positive.
func Fastest(n int, ask func(replica int) string) string {
	c := make(chan string)
	for i := 0; i < n; i++ {
		go func() {
			c <- ask(i)
		}()
	}
	return <-c
}

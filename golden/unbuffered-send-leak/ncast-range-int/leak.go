package leak

// Hedge sends req several times concurrently and returns the first reply.
func Hedge(req string, send func(string) string) string {
	n := hedges(req)
	c := make(chan string)
	for range n {
		go func() {
			c <- send(req)
		}()
	}
	return <-c
}

// hedges says how many copies of req to send.
func hedges(req string) int {
	if len(req) > 8 {
		return 3
	}
	return 2
}

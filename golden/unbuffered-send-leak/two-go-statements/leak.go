package leak

// Race asks a primary and a backup and returns whichever answers first.
func Race(primary, backup func() string) string {
	c := make(chan string)
	go func() {
		c <- primary()
	}()
	go func() {
		c <- backup()
	}()
	return <-c
}

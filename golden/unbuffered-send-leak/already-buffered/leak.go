package leak

// Example runs check in the background and returns its error, unless a is
// positive: then it returns early. The buffer of 1 lets the sender finish
// either way.
func Example(a int, check func() error) error {
	c := make(chan error, 1)
	go func() {
		c <- check()
	}()
	if a > 0 {
		return nil
	}
	return <-c
}

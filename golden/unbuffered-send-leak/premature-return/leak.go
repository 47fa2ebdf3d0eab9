package leak

// Example runs check in the background and returns its error, unless a is
// positive: then it returns early without ever reading the result.
func Example(a int, check func() error) error {
	c := make(chan error)
	go func() {
		err := check()
		c <- err
		return
	}()
	// do something
	if a > 0 {
		return nil
	}
	// do something
	err := <-c
	return err
}

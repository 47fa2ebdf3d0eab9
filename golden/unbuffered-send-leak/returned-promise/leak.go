package leak

// Go runs f in the background and returns a channel that delivers its error.
// (moby's utils.Go: a caller that stops waiting leaves the goroutine blocked.)
func Go(f func() error) chan error {
	ch := make(chan error)
	go func() {
		ch <- f()
	}()
	return ch
}

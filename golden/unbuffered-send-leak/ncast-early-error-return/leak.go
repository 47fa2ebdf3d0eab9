package leak

// CheckAll checks every item concurrently and returns the first error.
func CheckAll(items []string, check func(string) error) error {
	errc := make(chan error)
	for _, item := range items {
		go func() {
			errc <- check(item)
		}()
	}
	for range items {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

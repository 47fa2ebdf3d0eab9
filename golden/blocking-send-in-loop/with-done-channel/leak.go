package leak

// Publish sends event to every subscriber without waiting for them.
func Publish(done <-chan struct{}, subscribers []chan<- string, event string) {
	for _, sub := range subscribers {
		go func() {
			sub <- event
		}()
	}
}

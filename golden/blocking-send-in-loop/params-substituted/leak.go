package leak

// Fanout sends x to every channel without waiting for the receivers.
func Fanout(chans []chan<- int, x int) {
	for i := range chans {
		go func(c chan<- int, v int) {
			c <- v
		}(chans[i], x)
	}
}

package leak

import "context"

// Broadcast sends value to every channel without waiting for the receivers.
func Broadcast(ctx context.Context, channels []chan int, value int) {
	for i := range channels {
		go func() {
			channels[i] <- value
		}()
	}
}

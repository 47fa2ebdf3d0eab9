package leak

import "time"

// Batch reads up to size values from in, skipping negative ones. It stops
// early when in is closed or when wait passes without a value.
func Batch(in <-chan int, size int, wait time.Duration) []int {
	var batch []int
	for len(batch) < size {
	Receive:
		select {
		case v, ok := <-in:
			switch {
			case !ok:
				return batch
			case v < 0:
				break Receive
			}
			batch = append(batch, v)
		case <-time.After(wait):
			return batch
		}
	}
	return batch
}

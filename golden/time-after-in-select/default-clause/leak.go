package leak

import "time"

// Collect gathers the values read from in until in is closed or idle passes
// without a value. Whenever no value is ready it calls poll, which may
// produce one.
func Collect(in <-chan int, idle time.Duration, poll func()) []int {
	var out []int
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return out
			}
			out = append(out, v)
		case <-time.After(idle):
			return out
		default:
			poll()
		}
	}
}

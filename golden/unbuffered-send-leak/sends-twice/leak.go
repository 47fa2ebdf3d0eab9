package leak

import "slices"

// MinMax computes the smallest and largest of xs in the background; when
// skip is set it returns before reading them. The goroutine sends twice, so
// a buffer of 1 would not let it finish after an early return.
func MinMax(skip bool, xs []int) (lo, hi int) {
	c := make(chan int)
	go func() {
		c <- slices.Min(xs)
		c <- slices.Max(xs)
	}()
	if skip {
		return 0, 0
	}
	lo = <-c
	hi = <-c
	return lo, hi
}

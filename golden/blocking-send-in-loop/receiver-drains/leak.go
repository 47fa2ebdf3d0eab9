package leak

import "slices"

// Squares squares every x concurrently and returns the squares in order.
func Squares(xs []int) []int {
	c := make(chan int)
	for _, x := range xs {
		go func() {
			c <- x * x
		}()
	}
	squares := make([]int, 0, len(xs))
	for range xs {
		squares = append(squares, <-c)
	}
	slices.Sort(squares)
	return squares
}

package leak

import "testing"

func TestWalkHandlesEveryItem(t *testing.T) {
	sum := 0
	Walk([]int{1, 2, 3}, func(v int) { sum += v })
	if sum != 6 {
		t.Errorf("sum = %d, want 6", sum)
	}
}

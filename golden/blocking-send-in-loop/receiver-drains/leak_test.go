package leak

import (
	"slices"
	"testing"

	"go.uber.org/goleak"
)

func TestSquaresLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got, want := Squares([]int{3, 1, 2}), []int{1, 4, 9}; !slices.Equal(got, want) {
		t.Errorf("Squares = %v, want %v", got, want)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

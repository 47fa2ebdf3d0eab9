package leak

import (
	"context"
	"testing"
)

func TestDecodeSumsEveryRecord(t *testing.T) {
	if got := Decode(context.Background(), []int{1, 2, 3, 4, 5, 6, 7, 8}); got != 72 {
		t.Errorf("Decode = %d, want 72", got)
	}
}

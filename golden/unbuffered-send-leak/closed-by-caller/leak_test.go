package leak

import (
	"context"
	"testing"
)

func TestFetchReturnsTheResult(t *testing.T) {
	if v, err := Fetch(context.Background(), func() int { return 4 }); v != 4 || err != nil {
		t.Errorf("Fetch = %d, %v, want 4, nil", v, err)
	}
}

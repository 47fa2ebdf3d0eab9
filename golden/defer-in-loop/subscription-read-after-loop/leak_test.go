package leak

import (
	"slices"
	"testing"
)

func TestEverySubscriptionReceives(t *testing.T) {
	feeds := []*Feed{{}, {}}
	got := Propagate(feeds, func() {
		for _, f := range feeds {
			f.Send(7)
		}
	})
	if !slices.Equal(got, []int{7, 7}) {
		t.Errorf("Propagate received %v, want [7 7]; unsubscribing per iteration loses the values", got)
	}
}

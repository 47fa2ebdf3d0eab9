package leak

import (
	"context"
	"testing"
)

func TestContextsLiveUntilServeReturns(t *testing.T) {
	streams := []string{"a", "b", "c"}
	started := make(chan context.Context, len(streams))
	live := 0
	wait := func() {
		for range streams {
			if (<-started).Err() == nil {
				live++
			}
		}
	}
	Serve(context.Background(), streams, func(ctx context.Context, _ string) { started <- ctx }, wait)
	if live != len(streams) {
		t.Errorf("%d of %d handler contexts were live while Serve ran; cancelling per iteration ends the handlers' work early", live, len(streams))
	}
}

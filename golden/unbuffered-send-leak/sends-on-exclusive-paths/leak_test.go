package leak

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestAGivenUpRequestLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	for _, fetch := range []func() (int, error){
		func() (int, error) { return 5, nil },
		func() (int, error) { return 0, errors.New("unavailable") },
		func() (int, error) { return -1, nil },
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		release := make(chan struct{})
		_, err := TimeToLive(ctx, func() (int, error) {
			<-release
			return fetch()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("TimeToLive(cancelled) error = %v", err)
		}
		close(release)
	}
	if ttl, err := TimeToLive(context.Background(), func() (int, error) { return 7, nil }); ttl != 7 || err != nil {
		t.Errorf("TimeToLive = %d, %v, want 7, nil", ttl, err)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

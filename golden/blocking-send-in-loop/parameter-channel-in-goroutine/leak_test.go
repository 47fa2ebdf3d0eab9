package leak

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestAStoppedLoopLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	l := &Loop{scrape: func() error { return errors.New("target down") }}
	l.Start(ctx, errc)
	if err := <-errc; err == nil {
		t.Fatal("want the first scrape error")
	}
	// The reader stops reading and the loop's context ends.
	cancel()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

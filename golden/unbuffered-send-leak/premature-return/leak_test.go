package leak

import (
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestEarlyReturnLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if err := Example(1, func() error { return errors.New("check failed") }); err != nil {
		t.Fatalf("Example(1, …) = %v, want nil (it returns early)", err)
	}
	// The early return never reads c: with an unbuffered channel the sender
	// blocks for ever.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestReturnsTheCheckError(t *testing.T) {
	want := errors.New("check failed")
	if err := Example(0, func() error { return want }); err != want {
		t.Fatalf("Example(0, …) = %v, want %v", err, want)
	}
}

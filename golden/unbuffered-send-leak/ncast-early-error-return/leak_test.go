package leak

import (
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestFirstErrorLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	err := CheckAll([]string{"a", "b", "c"}, func(s string) error { return errors.New(s + " is bad") })
	if err == nil {
		t.Fatal("CheckAll = nil, want the first error")
	}
	// The first error returns from the receiving loop: the two other
	// checkers have no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestCheckAllReadsEveryResult(t *testing.T) {
	if err := CheckAll([]string{"a", "b", "c"}, func(string) error { return nil }); err != nil {
		t.Fatalf("CheckAll = %v, want nil", err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestRejectedInputLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if err := Validate("", func(string) error { return nil }); err == nil {
		t.Fatal(`Validate("") = nil, want an error`)
	}
	// A capacity of 0 is unbuffered: the check's result has no reader.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

func TestValidateReturnsTheCheckResult(t *testing.T) {
	if err := Validate("ok", func(string) error { return nil }); err != nil {
		t.Fatalf(`Validate("ok") = %v, want nil`, err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestABadNameReturnsItsError(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	done := make(chan error, 1)
	go func() { done <- <-Start("", func() error { return nil }) }()
	// Start blocks forever on a bad name; the goroutine above is then leaked.
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
	if err := <-Start("ok", func() error { return nil }); err != nil {
		t.Errorf("<-Start(ok) = %v", err)
	}
}

package leak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestEveryPathLeavesNoGoroutine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	var logged []string
	logf := func(s string) { logged = append(logged, s) }
	job := func() error { return nil }
	if err := Run(false, nil, logf); err == nil {
		t.Error("Run(nil job) = nil, want an error")
	}
	if err := Run(false, job, logf); err != nil {
		t.Errorf("Run(quiet) = %v, want nil", err)
	}
	if err := Run(true, job, logf); err != nil {
		t.Errorf("Run(verbose) = %v, want nil", err)
	}
	if len(logged) != 2 {
		t.Errorf("logged %q, want two lines", logged)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

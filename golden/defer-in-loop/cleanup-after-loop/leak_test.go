package leak

import "testing"

func TestServicesRunDuringCheck(t *testing.T) {
	running := map[string]bool{}
	start := func(n string) func() {
		running[n] = true
		return func() { running[n] = false }
	}
	RunAll([]string{"a", "b"}, start, func() {
		if !running["a"] || !running["b"] {
			t.Errorf("running during check: %v; a per-iteration cleanup stops services too early", running)
		}
	})
	if running["a"] || running["b"] {
		t.Errorf("still running after RunAll: %v", running)
	}
}

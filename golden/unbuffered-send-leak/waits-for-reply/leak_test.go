package leak

import (
	"testing"

	"go.uber.org/goleak"
)

// TestHandshakeCompletes exercises the path that receives and acknowledges.
// The abort path leaks, but the sender then waits on ack, which no buffer on
// c releases: the rule must leave this function alone.
func TestHandshakeCompletes(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if got := Handshake(false, func() string { return "hello" }); got != "hello" {
		t.Errorf("Handshake = %q, want hello", got)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutine leak: %v", err)
	}
}

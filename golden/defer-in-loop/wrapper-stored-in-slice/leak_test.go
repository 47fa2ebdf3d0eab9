package leak

import "testing"

func TestCallAllUsesLiveConnections(t *testing.T) {
	if err := CallAll([]string{"a", "b"}); err != nil {
		t.Errorf("CallAll: %v", err)
	}
}

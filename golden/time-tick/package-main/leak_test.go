package main

import "testing"

func TestHeartbeatStops(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	if n := heartbeat(stop, func() { t.Error("beat after stop") }); n != 0 {
		t.Fatalf("heartbeat(stopped) = %d beats, want 0", n)
	}
}

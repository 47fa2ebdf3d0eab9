package leak

import "testing"

func TestReplaySendsEverythingTwice(t *testing.T) {
	out := make(chan string)
	go Replay(out, []string{"a", "b"})
	var got []string
	for range 4 {
		got = append(got, <-out)
	}
	if len(got) != 4 || got[0] != "a" || got[3] != "b" {
		t.Errorf("got %v, want [a b a b]", got)
	}
}

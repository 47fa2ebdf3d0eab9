package leak

import "testing"

func TestWatchLogsEveryItemAndLeavesThePackagesCloseAlone(t *testing.T) {
	logged := make(chan string, 2)
	Watch([]string{"a", "b"}, func(s string) { logged <- s })
	if a, b := <-logged, <-logged; a != "a" || b != "b" {
		t.Errorf("logged %q, %q; want a, b", a, b)
	}
	if closes != 0 {
		t.Errorf("the package's close was called %d times; Watch never calls it", closes)
	}
}

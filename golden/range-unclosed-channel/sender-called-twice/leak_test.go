package leak

import "testing"

func TestEveryEventOfBothBatchesIsLogged(t *testing.T) {
	logged := make(chan string, 3)
	Watch([]string{"a"}, []string{"b", "c"}, func(s string) { logged <- s })
	if a, b, c := <-logged, <-logged, <-logged; a != "a" || b != "b" || c != "c" {
		t.Errorf("logged %q, %q, %q; want a, b, c", a, b, c)
	}
}

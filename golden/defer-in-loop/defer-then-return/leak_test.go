package leak

import "testing"

func TestFirstValidClosesEveryHandle(t *testing.T) {
	closed := 0
	open := func(n string) (*Handle, error) { return &Handle{name: n, closed: &closed}, nil }
	got, err := FirstValid([]string{"bad", "bad", "ok", "later"}, open)
	if got != "ok" || err != nil || closed != 3 {
		t.Errorf("FirstValid = %q, %v with %d closed; want ok, nil, 3", got, err, closed)
	}
}

package leak

import "context"

// FirstOf asks three replicas and returns the first answer, or ctx's error.
// The channel has room for one answer, but three are sent: once the first is
// taken (or ctx is done) the other senders block forever. (Shape 9 of the
// analysis issue: a buffer smaller than what is sent.)
func FirstOf(ctx context.Context, ask func(replica int) string) (string, error) {
	answers := make(chan string, 1)
	go func() {
		answers <- ask(0)
	}()
	go func() {
		answers <- ask(1)
	}()
	go func() {
		answers <- ask(2)
	}()
	select {
	case a := <-answers:
		return a, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

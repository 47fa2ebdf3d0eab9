package leak

import "context"

// A Watcher reports events from a background goroutine.
type Watcher struct {
	events chan string
}

func NewWatcher() *Watcher { return &Watcher{events: make(chan string)} }

// Next returns the next event, or ctx's error when ctx is done first.
func (w *Watcher) Next(ctx context.Context) (string, error) {
	select {
	case ev := <-w.events:
		return ev, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

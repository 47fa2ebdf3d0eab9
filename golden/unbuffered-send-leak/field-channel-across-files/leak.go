package leak

import "context"

// Start watches in the background until ctx is done. The events channel is a
// field made and read in watcher.go; its reader gives up on its own context,
// after which the sender below blocks forever. (Shape 5 of the analysis issue.)
func (w *Watcher) Start(ctx context.Context, poll func() string) {
	go w.run(ctx, poll)
}

func (w *Watcher) run(ctx context.Context, poll func() string) {
	for {
		ev := poll()
		w.events <- ev
	}
}

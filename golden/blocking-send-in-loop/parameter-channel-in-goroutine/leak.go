package leak

import "context"

// A Loop scrapes a target until its context ends and reports failures on the
// error channel it is given. (Reduced from prometheus's scrape loop before it
// learned to give up: once the reader of errc is gone, the send blocks the
// loop forever, context or not.)
type Loop struct {
	scrape func() error
}

func (l *Loop) run(ctx context.Context, errc chan<- error) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		if err := l.scrape(); err != nil {
			errc <- err
		}
	}
}

// Start runs the loop in the background.
func (l *Loop) Start(ctx context.Context, errc chan<- error) {
	go l.run(ctx, errc)
}

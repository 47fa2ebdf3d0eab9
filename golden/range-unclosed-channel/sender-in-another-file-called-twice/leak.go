package leak

// Watch starts a watcher that logs every event until the events channel is
// closed, then lets produce (in produce.go) send the events. produce is also
// called by Replay (in replay.go) on a channel Replay goes on using, so a
// `defer close` in produce would close Replay's channel under it: the finding
// is manual and no file changes.
func Watch(items []string, log func(string)) {
	events := make(chan string)
	go func() {
		for {
			ev, ok := <-events
			if !ok {
				return
			}
			log(ev)
		}
	}()
	produce(events, items)
}

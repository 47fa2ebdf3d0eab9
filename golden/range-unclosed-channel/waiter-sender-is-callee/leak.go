package leak

// Watch starts a watcher that logs every event until the events channel is
// closed, then lets produce send the events. Nothing closes the channel, so
// the watcher waits forever after the last event. (The watcher shape from
// the issue: a `v, ok := <-c` loop waiting for a close that only the callee
// could do.)
func Watch(items []string, log func(string), finished func()) {
	events := make(chan string)
	go func() {
		for {
			ev, ok := <-events
			if !ok {
				finished()
				return
			}
			log(ev)
		}
	}()
	produce(events, items)
}

func produce(events chan string, items []string) {
	for _, it := range items {
		events <- it
	}
}

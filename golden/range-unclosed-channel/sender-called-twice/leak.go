package leak

// Watch starts a watcher that logs every event until the events channel is
// closed, then lets produce send two batches. Nothing closes the channel, but
// produce runs twice on it: a close at the top of produce would make the
// second batch panic, so leakfix says where to close and edits nothing.
func Watch(first, second []string, log func(string)) {
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
	produce(events, first)
	produce(events, second)
}

func produce(events chan string, items []string) {
	for _, it := range items {
		events <- it
	}
}

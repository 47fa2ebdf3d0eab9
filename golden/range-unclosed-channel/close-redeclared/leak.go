package leak

// closes counts the calls of this package's own close, which takes the place
// of Go's builtin everywhere in the package. Watch's goroutine waits for a
// close of events that never comes, but a close(events) inserted into Watch
// would call this function, not close the channel: leakfix says so and edits
// nothing.
var closes int

func close(events chan string) { closes++ }

// Watch logs every event in a goroutine and sends the items to it.
func Watch(items []string, log func(string)) {
	events := make(chan string)
	go func() {
		for ev := range events {
			log(ev)
		}
	}()
	for _, it := range items {
		events <- it
	}
}

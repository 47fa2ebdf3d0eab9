package leak

// Replay sends items twice on out, through produce each time.
func Replay(out chan string, items []string) {
	produce(out, items)
	produce(out, items)
}

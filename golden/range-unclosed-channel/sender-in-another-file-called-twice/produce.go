package leak

func produce(events chan string, items []string) {
	for _, it := range items {
		events <- it
	}
}

package leak

// Print hands every line to a background printer.
func Print(lines []string, emit func(string)) {
	c := make(chan string)
	go func() {
		for line := range c {
			emit(line)
		}
	}()
	for _, line := range lines {
		c <- line
	}
}

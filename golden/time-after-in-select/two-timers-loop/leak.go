package leak

import "time"

// Consume counts the messages read from in until in is closed. Each gap of
// idle without a message counts as an idle period; a gap of giveUp ends the
// wait early.
func Consume(in <-chan string, idle, giveUp time.Duration) (messages, idles int) {
	for {
		select {
		case _, ok := <-in:
			if !ok {
				return messages, idles
			}
			messages++
		case <-time.After(idle):
			idles++
		case <-time.After(giveUp):
			return messages, idles
		}
	}
}

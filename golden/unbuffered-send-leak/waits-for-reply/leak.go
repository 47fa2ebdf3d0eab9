package leak

// Handshake receives a greeting from a background goroutine and then
// acknowledges it. The sender waits for the acknowledgement after its send,
// so a buffer would not let it finish after the early return.
func Handshake(abort bool, hello func() string) string {
	c := make(chan string)
	ack := make(chan struct{})
	go func() {
		c <- hello()
		<-ack
	}()
	if abort {
		return ""
	}
	msg := <-c
	close(ack)
	return msg
}

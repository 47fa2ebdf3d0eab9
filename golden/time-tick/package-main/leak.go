package main

import (
	"fmt"
	"time"
)

// heartbeat prints a beat once a second until stop is closed and returns
// how many beats it printed. It is only ever called once, from main, so the
// ticker living until the program exits is fine.
func heartbeat(stop <-chan struct{}, beat func()) int {
	tick := time.Tick(time.Second)
	n := 0
	for {
		select {
		case <-tick:
			beat()
			n++
		case <-stop:
			return n
		}
	}
}

func main() {
	stop := make(chan struct{})
	time.AfterFunc(3500*time.Millisecond, func() { close(stop) })
	n := heartbeat(stop, func() { fmt.Println("beat") })
	fmt.Println(n, "beats")
}

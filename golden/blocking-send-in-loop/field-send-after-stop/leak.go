package leak

// A Notifier hands events to a background loop until it is stopped. After
// Stop nobody receives: once the buffer is full, Notify blocks its caller
// forever. (Shape 8 of the analysis issue: a synchronous send on a field
// channel whose receiver has gone.)
type Notifier struct {
	events  chan int
	stop    chan struct{}
	stopped chan struct{}
	handle  func(int)
}

func NewNotifier(handle func(int)) *Notifier {
	n := &Notifier{
		events:  make(chan int, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		handle:  handle,
	}
	go n.run()
	return n
}

// Notify passes e to the loop.
func (n *Notifier) Notify(e int) {
	n.events <- e
}

// Stop ends the loop and waits until it has ended.
func (n *Notifier) Stop() {
	close(n.stop)
	<-n.stopped
}

func (n *Notifier) run() {
	defer close(n.stopped)
	for {
		select {
		case e := <-n.events:
			n.handle(e)
		case <-n.stop:
			return
		}
	}
}

package leak

// A Pool resizes its workers by signals: each value on killCh stops one
// worker. (Reduced from minio's batch job worker pools.)
type Pool struct {
	killCh chan struct{}
}

func NewPool() *Pool { return &Pool{killCh: make(chan struct{})} }

// Shrink asks n workers to stop, without waiting for them to be ready.
func (p *Pool) Shrink(n int) {
	for i := 0; i < n; i++ {
		go func() {
			p.killCh <- struct{}{}
		}()
	}
}

// Work runs a worker until it receives a kill signal.
func (p *Pool) Work() {
	<-p.killCh
}

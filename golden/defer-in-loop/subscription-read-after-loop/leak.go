package leak

// A Feed delivers values to the channels subscribed to it.
type Feed struct{ subs map[chan int]bool }

type Sub struct {
	feed *Feed
	ch   chan int
}

func (f *Feed) Subscribe(ch chan int) *Sub {
	if f.subs == nil {
		f.subs = map[chan int]bool{}
	}
	f.subs[ch] = true
	return &Sub{feed: f, ch: ch}
}

func (s *Sub) Unsubscribe() { delete(s.feed.subs, s.ch) }

// Send delivers v to every subscriber that has room for it.
func (f *Feed) Send(v int) {
	for ch := range f.subs {
		select {
		case ch <- v:
		default:
		}
	}
}

// Propagate subscribes to every feed, runs send, and returns what each
// subscription received. (Reduced from go-ethereum's handler tests: the
// subscription's channel is read after the loop.)
func Propagate(feeds []*Feed, send func()) []int {
	chans := make([]chan int, len(feeds))
	for i, f := range feeds {
		chans[i] = make(chan int, 1)
		sub := f.Subscribe(chans[i])
		defer sub.Unsubscribe()
	}
	send()
	got := make([]int, len(chans))
	for i, ch := range chans {
		select {
		case got[i] = <-ch:
		default:
		}
	}
	return got
}

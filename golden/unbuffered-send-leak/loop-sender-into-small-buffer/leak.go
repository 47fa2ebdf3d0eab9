package leak

import "context"

// Decode reads records in the background into a buffer of 6 and stops early
// when ctx is done; the decoder sends one value per record, in a loop, so the
// buffer does not bound what it can leave behind. leakfix explains and edits
// nothing. (Shape 9 of the analysis issue, from prometheus's WAL replay: a
// buffer of 6, 8 sends in a loop, a reader that returns on ctx.Done.)
func Decode(ctx context.Context, records []int) int {
	decoded := make(chan int, 6)
	go func() {
		for _, r := range records {
			decoded <- r * 2
		}
	}()
	sum := 0
	for range records {
		select {
		case v := <-decoded:
			sum += v
		case <-ctx.Done():
			return sum
		}
	}
	return sum
}

package leak

// A Store hands out handles to the records it keeps.
type Store interface {
	Open(key string) (Handle, error)
}

// A Handle is an open record. It must be closed when it is no longer needed.
type Handle interface {
	Value() (int, error)
	Close() error
}

// Sum adds up the values of the records named by keys. Keys that do not open
// and records that cannot be read are skipped. Each handle is closed at the
// end of its own iteration: the defer is inside a func literal already.
func Sum(s Store, keys []string) int {
	total := 0
	for _, key := range keys {
		func() {
			h, err := s.Open(key)
			if err != nil {
				return
			}
			defer h.Close()
			v, err := h.Value()
			if err != nil {
				return
			}
			total += v
		}()
	}
	return total
}

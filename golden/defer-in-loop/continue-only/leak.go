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

// Sum adds up the values of the records named by keys. Keys that do not open,
// records that cannot be read and negative values are skipped.
func Sum(s Store, keys []string) int {
	total := 0
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil || v < 0 {
			continue
		}
		total += v
	}
	return total
}

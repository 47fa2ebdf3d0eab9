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

// Collect returns the values of the records named by keys, in order, up to
// the first record that cannot be read or holds zero. Keys that do not open
// are skipped.
func Collect(s Store, keys []string) []int {
	var values []int
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil || v == 0 {
			break
		}
		values = append(values, v)
	}
	return values
}

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

// Find returns the key of the first record whose value is want, and whether
// there is one. Keys that do not open and records that cannot be read are
// skipped. The loop body ends in a switch whose every clause leaves the
// iteration (etcd's WAL repair loop has this shape).
func Find(s Store, keys []string, want int) (string, bool) {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, err := h.Value()
		switch {
		case err != nil:
			continue
		case v == want:
			return key, true
		default:
			continue
		}
	}
	return "", false
}

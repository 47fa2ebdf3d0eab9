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

// Publish passes the value of every record named by keys to emit, in order,
// and then emits -1 to mark the end. Keys that do not open are skipped; a
// record that cannot be read stops publishing at once, with no end mark.
func Publish(s Store, keys []string, emit func(int)) {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			return
		}
		emit(v)
	}
	emit(-1)
}

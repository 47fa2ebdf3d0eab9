package leak

import "errors"

// A Store hands out handles to the records it keeps.
type Store interface {
	Open(key string) (Handle, error)
}

// A Handle is an open record. It must be closed when it is no longer needed.
type Handle interface {
	Value() (int, error)
	Close() error
}

// First returns the value of the record named by the first key. The loop
// body ends in a return and never continues, so it runs at most once and
// the defer runs at the return right after it.
func First(s Store, keys []string) (int, error) {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			return 0, err
		}
		defer h.Close()
		return h.Value()
	}
	return 0, errors.New("no keys")
}

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

// ErrNone is returned by CheckFirst when no record has a positive value.
var ErrNone = errors.New("no positive record")

// CheckFirst returns what check says about the value of the first record,
// in the order of keys, whose value is positive; a record that cannot be read
// before it is an error. Keys that do not open are skipped.
func CheckFirst(s Store, keys []string, check func(int) error) error {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			return err
		}
		if v > 0 {
			return check(v)
		}
	}
	return ErrNone
}

package leak

import "fmt"

// A Store hands out handles to the records it keeps.
type Store interface {
	Open(key string) (Handle, error)
}

// A Handle is an open record. It must be closed when it is no longer needed.
type Handle interface {
	Value() (int, error)
	Close() error
}

// Validate checks that every record named by keys opens, can be read and
// holds a value that is not negative.
func Validate(s Store, keys []string) error {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			return err
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			return err
		}
		if v < 0 {
			return fmt.Errorf("validate: %s is negative: %d", key, v)
		}
	}
	return nil
}

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

// Total returns the sum of the values of the records named by keys. Blank
// keys are skipped; a record that does not open or cannot be read is an error.
func Total(s Store, keys []string) (int, error) {
	total := 0
	for _, key := range keys {
		if key == "" {
			continue
		}
		h, err := s.Open(key)
		if err != nil {
			return 0, fmt.Errorf("total: %w", err)
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			return 0, fmt.Errorf("total: read %s: %w", key, err)
		}
		total += v
	}
	return total, nil
}

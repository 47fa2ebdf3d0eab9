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

// SumValid returns the sum of the values of the records named by keys. A key
// that does not open is an error, and so is a record that cannot be read or
// holds a negative value.
func SumValid(s Store, keys []string) (int, error) {
	total := 0
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			return 0, err
		}
		defer h.Close()
		v, err := h.Value()
		if err == nil && v >= 0 {
			total += v
			continue
		}
		return 0, fmt.Errorf("sum: bad record %s", key)
	}
	return total, nil
}

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

// SumUntil adds up the values of the records named by keys, up to the first
// blank key. A key that does not open is an error and a record that cannot
// be read is skipped; a value above limit stops the sum and is returned with
// an error.
func SumUntil(s Store, keys []string, limit int) (int, error) {
	total := 0
	for _, key := range keys {
		if key == "" {
			break
		}
		h, err := s.Open(key)
		if err != nil {
			return 0, err
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			continue
		}
		if v > limit {
			return v, fmt.Errorf("sum: %s is over the limit", key)
		}
		total += v
	}
	return total, nil
}

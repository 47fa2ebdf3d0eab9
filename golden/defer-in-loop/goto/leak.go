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

// SumOrFail returns the sum of the values of the records named by keys, or -1
// when one of them does not open. Records that cannot be read are skipped.
// The goto out of the loop body makes this defer a job for a human.
func SumOrFail(s Store, keys []string) int {
	total := 0
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			goto fail
		}
		defer h.Close()
		v, err := h.Value()
		if err != nil {
			continue
		}
		total += v
	}
	return total
fail:
	return -1
}

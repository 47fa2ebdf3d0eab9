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

// Run runs the jobs named by keys in order and returns the exit status of
// the first one that fails: 127 when a job does not open, its value when that
// is not zero. Jobs that cannot be read are skipped.
func Run(s Store, keys []string) int {
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			return 127
		}
		defer h.Close()
		exit, err := h.Value()
		if err != nil {
			continue
		}
		if exit != 0 {
			return exit
		}
	}
	return 0
}

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

// SumGroups returns the sum of the values of the records in every group. A
// group stops at its first key that does not open (the values before it still
// count); records that cannot be read are skipped. The continue of the
// labelled outer loop cannot be expressed inside a func literal, so this
// defer is left for a human.
func SumGroups(s Store, groups [][]string) int {
	total := 0
outer:
	for _, keys := range groups {
		for _, key := range keys {
			h, err := s.Open(key)
			if err != nil {
				continue outer
			}
			defer h.Close()
			v, err := h.Value()
			if err != nil {
				continue
			}
			total += v
		}
	}
	return total
}

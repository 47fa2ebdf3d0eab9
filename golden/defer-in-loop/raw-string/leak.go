package leak

import (
	"fmt"
	"strings"
)

// A Store hands out handles to the records it keeps.
type Store interface {
	Open(key string) (Handle, error)
}

// A Handle is an open record. It must be closed when it is no longer needed.
type Handle interface {
	Value() (int, error)
	Close() error
}

// Report renders a two-line block for every record named by keys. Keys that
// do not open are left out; a record that cannot be read shows the value 0.
func Report(s Store, keys []string) string {
	var b strings.Builder
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			continue
		}
		defer h.Close()
		v, _ := h.Value()
		fmt.Fprintf(&b, `record %s
	value %d
`, key, v)
	}
	return b.String()
}

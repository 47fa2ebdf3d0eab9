package leak

import "errors"

// A Handle is an open record.
type Handle struct {
	name   string
	closed *int
}

func (h *Handle) Valid() bool  { return h.name != "bad" }
func (h *Handle) Read() string { return h.name }
func (h *Handle) Close()       { *h.closed++ }

// FirstValid opens names in turn and returns the first valid record. The
// defer runs at most once — every path from it returns — so nothing piles up
// and leakfix reports nothing. (etcd's WAL repair, moby's splunk logger and
// hugo's file info have this shape.)
func FirstValid(names []string, open func(string) (*Handle, error)) (string, error) {
	for _, n := range names {
		h, err := open(n)
		if err != nil {
			continue
		}
		if h.Valid() {
			defer h.Close()
			return h.Read(), nil
		}
		h.Close()
	}
	return "", errors.New("no valid record")
}

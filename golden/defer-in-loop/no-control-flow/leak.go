package leak

// A Cache hands out entries; a missing entry reads as zero.
type Cache interface {
	Acquire(key string) Entry
}

// An Entry is a pinned cache entry. It must be closed to unpin it.
type Entry interface {
	Value() int
	Close() error
}

// Copy copies the value of every entry named by keys into dst.
func Copy(c Cache, keys []string, dst map[string]int) {
	for _, key := range keys {
		e := c.Acquire(key)
		defer e.Close()
		dst[key] = e.Value()
	}
}
